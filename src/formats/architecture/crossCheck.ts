/**
 * Config against weights: the shapes a config implies must be the shapes the checkpoint stores.
 * Modules are matched by (block, role), not by name, so prefixes (`transformer.h.0` vs `h.0`,
 * `bert.encoder` vs `encoder`) do not matter.
 */
import { basename } from 'node:path';
import type { HfConfig } from '../config';
import { FormatError, type ModuleRole, type TransformerDims } from '../types';
import { attentionWidths, dominantFamily, layerCount, type ClassifiedModule } from './infer';
import { expectedModules } from './templates';
import type { KeyFamily } from './roles';

const CHECKED_ROLES: ReadonlySet<ModuleRole> = new Set<ModuleRole>([
  'q', 'k', 'v', 'o', 'qkv', 'gate', 'up', 'down', 'fc_in', 'fc_out',
]);
const TOKEN_EMBEDDING = /(?:^|\.)(?:embed_tokens|wte|word_embeddings|embed_in)$/;

/**
 * When the config does not state `num_key_value_heads`, the weights decide it (k rows / head_dim).
 * Returns the config with adjusted dims, and a note, or the config unchanged.
 */
export function adoptKvHeadsFromWeights(
  config: HfConfig, mods: readonly ClassifiedModule[], family: KeyFamily | undefined, notes: string[],
): HfConfig {
  if (config.kvHeadsExplicit || (config.family !== 'llama' && config.family !== 'phi3')) return config;
  const widths = attentionWidths(mods, family);
  if (!widths) return config;
  const { headDim, numHeads } = config.dims;
  const kv = widths.kvDim / headDim;
  if (!Number.isInteger(kv) || kv < 1 || numHeads % kv !== 0 || kv === config.dims.numKeyValueHeads) return config;
  notes.push(`${basename(config.file)} has no num_key_value_heads; the weights give ${kv} KV heads (k width ${widths.kvDim} / head_dim ${headDim})`);
  return { ...config, dims: { ...config.dims, numKeyValueHeads: kv }, kvHeadsExplicit: true };
}

function describeDims(d: TransformerDims): string {
  const parts = [`hidden ${d.hiddenSize}`, `${d.numHeads} heads of ${d.headDim}`];
  if (d.numKeyValueHeads !== d.numHeads) parts.push(`${d.numKeyValueHeads} KV heads`);
  if (d.intermediateSize !== undefined) parts.push(`intermediate ${d.intermediateSize}`);
  if (d.vocabSize !== undefined) parts.push(`vocab ${d.vocabSize}`);
  return parts.join(', ');
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Throws a FormatError (naming the config file) at the first disagreement between the config and
 * the weights. Modules the config implies but the weights lack are listed in `notes`.
 */
export function checkConfigAgainstWeights(
  config: HfConfig, mods: readonly ClassifiedModule[], weightsSource: string, notes: string[],
): void {
  const dims = config.dims;
  const cfgName = basename(config.file);
  const wName = basename(weightsSource);
  const fail = (what: string): never => {
    throw new FormatError(config.file, `disagrees with the weights in ${wName}: ${what}`);
  };
  const family = dominantFamily(mods);
  if (family !== undefined && family !== config.family) {
    fail(`${cfgName} says model_type ${config.modelType} but the tensor names are ${family}-style`);
  }
  const layers = layerCount(mods);
  if (layers !== dims.numLayers) {
    fail(`${cfgName} says ${dims.numLayers} layers (${config.modelType}), the weights hold ${layers}`);
  }
  const missing: string[] = [];
  for (const exp of expectedModules(config)) {
    if (exp.layer === undefined || !CHECKED_ROLES.has(exp.role)) continue;
    const actual = mods.filter((m) => m.spec.layer === exp.layer && m.spec.role === exp.role);
    if (actual.length === 0) {
      missing.push(exp.name);
      continue;
    }
    for (const a of actual) {
      if (a.spec.shape.length !== exp.shape.length || a.spec.shape.some((d, i) => d !== exp.shape[i])) {
        fail(`${a.spec.name} is ${fmt(a.spec.shape)} ([out, in]) but ${cfgName} (${describeDims(dims)}) implies ${fmt(exp.shape)}`);
      }
    }
  }
  for (const m of mods) {
    const s = m.spec;
    if (s.role === 'lm_head' && dims.vocabSize !== undefined && (s.shape[0] !== dims.vocabSize || s.shape[1] !== dims.hiddenSize)) {
      fail(`${s.name} is ${fmt(s.shape)} but ${cfgName} implies ${fmt([dims.vocabSize, dims.hiddenSize])} (vocab ${dims.vocabSize}, hidden ${dims.hiddenSize})`);
    }
    if (s.role === 'embedding' && TOKEN_EMBEDDING.test(s.name) && dims.vocabSize !== undefined
      && (s.shape[0] !== dims.vocabSize || s.shape[1] !== dims.hiddenSize)) {
      fail(`${s.name} is ${fmt(s.shape)} but ${cfgName} implies ${fmt([dims.vocabSize, dims.hiddenSize])} (vocab ${dims.vocabSize}, hidden ${dims.hiddenSize})`);
    }
  }
  if (missing.length > 0) {
    notes.push(`${cfgName} implies ${missing.length} linear map(s) the weights do not hold: ${listSome(missing)}`);
  }
}

/** Up to five items, then "and N more". */
export function listSome(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
