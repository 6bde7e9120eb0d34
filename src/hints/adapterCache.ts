/**
 * What adapter_config.json hints can reuse from one keystroke to the next. The base model's
 * modules, the ones `target_modules` selects and which rank_pattern key governs each rarely change
 * while a person edits a rank value, so they are remembered per base config object (and per
 * analysis object), keyed by the settings they depend on, and recomputed when those differ.
 *
 * Config and analysis objects are treated as immutable (the base-model lookup reads a fresh
 * HfConfig when config.json changes; the analysis store copies each result it records), so a
 * WeakMap on the object is a sound key and drops the entry with the object.
 */
import { isTargetModule, type AdapterConfigFields } from '../formats/adapter';
import type { HfConfig } from '../formats/config';
import { linearModules, type LinearModule } from './modelThresholds';
import { PatternKeyLookup } from './rankLookup';
import type { TransformerAnalysisResult } from './types';

interface TargetCache {
  /** `target_modules` and `layers_to_transform` as JSON. */
  spec: string;
  targeted: readonly LinearModule[];
}

const targetedByConfig = new WeakMap<HfConfig, TargetCache>();

/** The base model's linear modules that PEFT would put a LoRA on; the same array while the settings stay the same. */
export function targetedModules(config: HfConfig, fields: Pick<AdapterConfigFields, 'targetModules' | 'layersToTransform'>): readonly LinearModule[] {
  const spec = JSON.stringify([fields.targetModules, fields.layersToTransform]);
  const cached = targetedByConfig.get(config);
  if (cached && cached.spec === spec) return cached.targeted;
  const targeted = linearModules(config).filter((m) => isTargetModule(fields, m.name));
  targetedByConfig.set(config, { spec, targeted });
  return targeted;
}

interface KeyCache {
  keys: readonly string[];
  /** keyFor[i]: the rank_pattern key governing targeted[i], undefined for `r`. */
  keyFor: readonly (string | undefined)[];
  /** The modules each key governs (key undefined: `r`), in module order; built on first use. */
  groups?: ReadonlyMap<string | undefined, readonly LinearModule[]>;
}

const keysByModules = new WeakMap<readonly LinearModule[], KeyCache>();

/**
 * For each module, the rank_pattern key PEFT's `get_pattern_key` picks (undefined: the module
 * takes `r`). `keys` in file order; remembered per module array while the key list is the same.
 */
export function rankKeysFor(modules: readonly LinearModule[], keys: readonly string[]): readonly (string | undefined)[] {
  const cached = keysByModules.get(modules);
  if (cached && sameStrings(cached.keys, keys)) return cached.keyFor;
  const lookup = new PatternKeyLookup(keys);
  const keyFor = modules.map((m) => lookup.keyFor(m.name));
  keysByModules.set(modules, { keys: [...keys], keyFor });
  return keyFor;
}

/**
 * The modules each rank_pattern key governs (undefined: those that take `r`), as arrays that stay
 * the same objects while the modules and the key list do, so per-entry results can be remembered
 * on them.
 */
export function moduleGroupsFor(modules: readonly LinearModule[], keys: readonly string[]): ReadonlyMap<string | undefined, readonly LinearModule[]> {
  const keyFor = rankKeysFor(modules, keys);
  const cached = keysByModules.get(modules)!;
  if (cached.keyFor === keyFor && cached.groups) return cached.groups;
  const groups = new Map<string | undefined, LinearModule[]>();
  modules.forEach((m, i) => {
    const key = keyFor[i];
    const list = groups.get(key);
    if (list) list.push(m);
    else groups.set(key, [m]);
  });
  cached.groups = groups;
  return groups;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What the hints read from an analysis result, derived once per result object. */
export interface AnalysisIndex {
  /** Module name → rank(ΔW). */
  deltaRanks: ReadonlyMap<string, number>;
  /** The analysis's rank_pattern without entries PEFT would reject (non-integers, ranks below 1). */
  recommended: Readonly<Record<string, number>>;
  /** `Object.keys(recommended)`. */
  recommendedKeys: readonly string[];
}

const indexByAnalysis = new WeakMap<TransformerAnalysisResult, AnalysisIndex>();
const NO_ANALYSIS: AnalysisIndex = { deltaRanks: new Map(), recommended: Object.freeze({}), recommendedKeys: [] };

export function analysisIndex(analysis: TransformerAnalysisResult | undefined): AnalysisIndex {
  if (!analysis) return NO_ANALYSIS;
  let index = indexByAnalysis.get(analysis);
  if (!index) {
    const deltaRanks = new Map<string, number>();
    for (const m of analysis.modules) deltaRanks.set(m.name, m.deltaRank);
    const recommended: Record<string, number> = {};
    for (const [key, value] of Object.entries(analysis.rankPattern)) {
      if (Number.isInteger(value) && value >= 1) recommended[key] = value;
    }
    // Frozen: quick fixes hand this object out as their rankPattern.
    index = { deltaRanks, recommended: Object.freeze(recommended), recommendedKeys: Object.keys(recommended) };
    indexByAnalysis.set(analysis, index);
  }
  return index;
}
