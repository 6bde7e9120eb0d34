/**
 * Hints in a Hugging Face `config.json`: at the embedding size, the head count and the layer count,
 * the architecture-only thresholds (⌈D/2⌉, min(in, out), break-even ranks) and LoRA costs.
 */
import { hfConfigFromObject, type HfConfig } from '../formats/config';
import { FormatError } from '../formats/types';
import { LineTable } from '../formats/python/positions';
import { fullUpdateCheaper, matrixRankBound, transformerWorstCase } from '../theory';
import { findProperty, parseJsonDocument, toPlainValue, type JsonNode, type JsonProperty } from './json/jsonDocument';
import { codeSpan, escapeMarkdown, formatCompact, formatCount, lazyHover, type HoverContent } from './markdown';
import { architectureThresholds, type ArchitectureThresholds } from './modelThresholds';
import { emptyHints, type DocumentHints, type PanelLink } from './types';

export const DIM_KEYS = ['hidden_size', 'n_embd', 'd_model', 'dim'] as const;
export const HEAD_KEYS = ['num_attention_heads', 'n_head', 'n_heads', 'num_heads'] as const;
export const LAYER_KEYS = ['num_hidden_layers', 'n_layer', 'n_layers', 'num_layers'] as const;

/** `config.json` by name (the content check is {@link looksLikeHfConfig}). */
export function isHfConfigFileName(fileName: string): boolean {
  return /(?:^|[\\/])config\.json$/.test(fileName);
}

/** A model config rather than any other `config.json`: it has `model_type` or an embedding-size key. */
export function looksLikeHfConfig(root: JsonNode): boolean {
  if (root.kind !== 'object') return false;
  return root.properties.some((p) => p.key === 'model_type' || (DIM_KEYS as readonly string[]).includes(p.key));
}

export interface ConfigJsonHintOptions {
  file: string;
  link: PanelLink;
}

function firstProperty(root: JsonNode, keys: readonly string[]): JsonProperty | undefined {
  for (const key of keys) {
    const p = findProperty(root, key);
    if (p) return p;
  }
  return undefined;
}

function positiveInt(p: JsonProperty | undefined): number | undefined {
  return p && p.value.kind === 'number' && Number.isInteger(p.value.value) && p.value.value > 0 && p.value.value <= 1 << 24 ? p.value.value : undefined;
}

export function computeConfigJsonHints(text: string, options: ConfigJsonHintOptions): DocumentHints {
  const hints = emptyHints();
  const parsed = parseJsonDocument(text);
  if (!parsed.ok || !looksLikeHfConfig(parsed.root)) return hints;
  const root = parsed.root;
  const lines = new LineTable(text);
  let config: HfConfig | undefined;
  let configProblem: string | undefined;
  try {
    config = hfConfigFromObject(toPlainValue(root) as Record<string, unknown>, options.file);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    configProblem = e.problem;
  }
  const dimProp = firstProperty(root, DIM_KEYS);
  const D = config?.dims.hiddenSize ?? positiveInt(dimProp);
  if (D === undefined || !dimProp) return hints;
  const arch = config ? architectureThresholds(config) : undefined;
  const add = (p: JsonProperty, label: string, title: string, facts: string[], rules: HoverContent['rules']) => {
    const markdown = lazyHover(() => ({ title, facts, rules, link: options.link }));
    hints.inlays.push({ position: lines.position(p.value.end), label, tooltip: markdown });
    hints.hovers.push({ range: lines.range(p.keySpan.offset, p.value.end), markdown });
  };

  const worst = transformerWorstCase(D);
  const dimFacts = [
    `Embedding size D = ${D}: LoRA rank **⌈D/2⌉ = ${worst.requiredRank}** on every attention matrix suffices for any target of the same size; no larger rank is ever needed there.`,
  ];
  if (configProblem) dimFacts.push(`Per-matrix shapes unavailable: ${escapeMarkdown(configProblem)}.`);
  add(dimProp, `rank ⌈D/2⌉ = ${worst.requiredRank} always suffices (exact)`, `attention rank for D = ${D}`, dimFacts, [worst]);

  const headsProp = firstProperty(root, HEAD_KEYS);
  if (headsProp && arch) add(headsProp, headsLabel(arch), 'per-matrix bounds of the attention matrices', headsFacts(arch), headsRules(arch));

  const layersProp = firstProperty(root, LAYER_KEYS);
  if (layersProp && arch) add(layersProp, layersLabel(arch), 'LoRA parameter cost', layersFacts(arch), [fullUpdateCheaper(arch.attentionGroups[0]!.in, arch.attentionGroups[0]!.out, worst.requiredRank), worst]);
  return hints;
}

function shape(out: number, inp: number): string {
  return `${out}×${inp}`;
}

function headsLabel(a: ArchitectureThresholds): string {
  return a.attentionGroups.map((g) => `${g.names.join(', ')} ${shape(g.out, g.in)}: min(in,out) ${g.bound}, break-even r ${g.breakEven}`).join(' · ');
}

function headsFacts(a: ArchitectureThresholds): string[] {
  return a.attentionGroups.map((g) =>
    `${g.names.map((n) => `${codeSpan(n)}`).join(', ')} (${shape(g.out, g.in)}, out×in): any update has rank ≤ min(in, out) = **${g.bound}**; ` +
    `a full update (${formatCount(g.out * g.in)} parameters) is no more expensive than LoRA from rank **${g.breakEven}** (r·(in+out) ≥ in·out) and cheaper above it.`,
  );
}

function headsRules(a: ArchitectureThresholds) {
  const g = a.attentionGroups[0]!;
  return [matrixRankBound(g.in, g.out), fullUpdateCheaper(g.in, g.out, g.breakEven)];
}

function layersLabel(a: ArchitectureThresholds): string {
  return `LoRA on ${a.attentionNames.join(', ')} × ${a.layers} layers: ${formatCount(a.loraParametersPerRank)} params per rank (full update ${formatCompact(a.fullParameters)})`;
}

function layersFacts(a: ArchitectureThresholds): string[] {
  const r = a.worstCase.requiredRank;
  return [
    `LoRA on ${a.attentionNames.map((n) => `${codeSpan(n)}`).join(', ')} of all ${a.layers} layers costs **${formatCount(a.loraParametersPerRank)}** trainable parameters per unit of rank (Σ in + out).`,
    `At r = 8: ${formatCount(8 * a.loraParametersPerRank)}; at the worst-case rank ⌈D/2⌉ = ${r}: ${formatCount(r * a.loraParametersPerRank)}.`,
    `A full update of the same matrices: ${formatCount(a.fullParameters)} parameters.`,
  ];
}
