/**
 * Architecture-only numbers for a Hugging Face model, from its config alone: the attention worst
 * case ⌈D/2⌉, per-matrix bounds min(in, out) and break-even ranks, and LoRA parameter costs.
 */
import type { HfConfig } from '../formats/config';
import { expectedModules, type ExpectedModule } from '../formats/architecture';
import type { ModuleRole } from '../formats/types';
import { fullUpdateCheaper, matrixRankBound, transformerWorstCase, type TransformerThreshold } from '../theory';

const ATTENTION: ReadonlySet<ModuleRole> = new Set<ModuleRole>(['q', 'k', 'v', 'o', 'qkv']);
const LINEAR: ReadonlySet<ModuleRole> = new Set<ModuleRole>(['q', 'k', 'v', 'o', 'qkv', 'gate', 'up', 'down', 'fc_in', 'fc_out', 'linear', 'lm_head']);

/** One linear map of the model: name as PEFT sees it, `[out, in]` shape. */
export interface LinearModule {
  name: string;
  role: ModuleRole;
  layer?: number;
  out: number;
  in: number;
  attention: boolean;
  /** {@link shortModuleName} of `name`. */
  short: string;
}

/** The attention matrices of one block that share a shape. */
export interface AttentionShapeGroup {
  /** Short names in forward order, e.g. ['q_proj', 'o_proj']. */
  names: string[];
  out: number;
  in: number;
  /** min(in, out). */
  bound: number;
  /** Smallest rank at which a full update costs no more than LoRA: ⌈in·out/(in+out)⌉. */
  breakEven: number;
}

export interface ArchitectureThresholds {
  D: number;
  layers: number;
  worstCase: TransformerThreshold;
  /** Attention matrices of one block grouped by shape, in forward order. */
  attentionGroups: AttentionShapeGroup[];
  /** Short names of one block's attention matrices, e.g. ['q_proj', 'k_proj', 'v_proj', 'o_proj']. */
  attentionNames: string[];
  /** Σ (in + out) over the attention matrices of every layer: LoRA parameters per unit of rank. */
  loraParametersPerRank: number;
  /** Σ in·out over the same matrices: a full update of all of them. */
  fullParameters: number;
}

/** The name PEFT users write in target_modules: the last segment, or the last two for generic names. */
export function shortModuleName(name: string): string {
  const parts = name.split('.');
  const last = parts[parts.length - 1]!;
  return (last === 'dense' || /^\d+$/.test(last)) && parts.length > 1 ? `${parts[parts.length - 2]}.${last}` : last;
}

const modulesByConfig = new WeakMap<HfConfig, readonly LinearModule[]>();

/** Every linear map of the model the config describes (embeddings and norms left out); memoised per config object. */
export function linearModules(config: HfConfig): readonly LinearModule[] {
  let modules = modulesByConfig.get(config);
  if (!modules) {
    modules = expectedModules(config)
      .filter((m: ExpectedModule) => LINEAR.has(m.role) && m.shape.length === 2)
      .map((m) => ({
        name: m.name, role: m.role, layer: m.layer, out: m.shape[0]!, in: m.shape[1]!, attention: ATTENTION.has(m.role), short: shortModuleName(m.name),
      }));
    modulesByConfig.set(config, modules);
  }
  return modules;
}

export function architectureThresholds(config: HfConfig, modules: readonly LinearModule[] = linearModules(config)): ArchitectureThresholds {
  const D = config.dims.hiddenSize;
  const attention = modules.filter((m) => m.attention);
  const firstLayer = attention.filter((m) => m.layer === attention[0]?.layer);
  const groups: AttentionShapeGroup[] = [];
  for (const m of firstLayer) {
    const short = m.short;
    const group = groups.find((g) => g.out === m.out && g.in === m.in);
    if (group) group.names.push(short);
    else {
      groups.push({
        names: [short], out: m.out, in: m.in,
        bound: matrixRankBound(m.in, m.out).requiredRank,
        breakEven: fullUpdateCheaper(m.in, m.out, 1).breakEvenRank,
      });
    }
  }
  return {
    D,
    layers: config.dims.numLayers,
    worstCase: transformerWorstCase(D),
    attentionGroups: groups,
    attentionNames: firstLayer.map((m) => m.short),
    loraParametersPerRank: attention.reduce((s, m) => s + m.in + m.out, 0),
    fullParameters: attention.reduce((s, m) => s + m.in * m.out, 0),
  };
}

/**
 * The architecture-only rank that suffices for one matrix: min(⌈D/2⌉, min(in, out)) for attention
 * matrices (the paper's Transformer result), min(in, out) for the others.
 */
export function architectureNeed(m: LinearModule, D: number): number {
  const bound = Math.min(m.in, m.out);
  return m.attention ? Math.min(Math.ceil(D / 2), bound) : bound;
}
