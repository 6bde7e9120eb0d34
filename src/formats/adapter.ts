/**
 * PEFT LoRA adapters: `adapter_config.json` and, when present, `adapter_model.safetensors`.
 * Module matching follows PEFT's own rules:
 *  - `target_modules` as a list: a module is targeted when its name equals an entry or ends with
 *    `.` + entry; as a string: a full regex match (`re.fullmatch`); `"all-linear"`: every linear
 *    layer but the output head. `layers_to_transform` then filters list matches by block index.
 *  - `rank_pattern` / `alpha_pattern` (PEFT `get_pattern_key`): the first key, in file order, for
 *    which `re.match(rf"(.*\.)?({key})$", name)` succeeds, i.e. the key as a regex fully matches the
 *    name or a dot-separated suffix of it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeFsError, jsonKind, parseJsonObject, printable, readJsonText } from './config';
import { readCheckpointHeader } from './safetensors';
import { FormatError, type AdapterPair, type AdapterSpec, type ModelSpec, type TensorRef } from './types';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
const MAX_ADAPTER_CONFIG_BYTES = 4 * 1024 * 1024;
/** PEFT strips nothing else: saved keys are `base_model.model.` + the base model's module name. */
const PEFT_PREFIX = 'base_model.model.';
/** Patterns longer than this are not PEFT configs. */
const MAX_PATTERN_LENGTH = 1000;

/** The fields of adapter_config.json that matter for analysis. */
export type AdapterConfigFields = Omit<AdapterSpec, 'source' | 'pairs' | 'weightsFile'>;

/** Reads an adapter folder, or an `adapter_config.json` (its folder's weights are read too). */
export async function loadAdapter(target: string): Promise<AdapterSpec> {
  let isDir: boolean;
  try {
    isDir = (await fs.stat(target)).isDirectory();
  } catch (e) {
    throw new FormatError(target, describeFsError(e));
  }
  const folder = isDir ? target : path.dirname(target);
  const configFile = isDir ? path.join(target, ADAPTER_CONFIG_FILE) : target;
  if (isDir && !(await isFile(configFile))) throw new FormatError(target, `holds no ${ADAPTER_CONFIG_FILE}`);
  const config = parseAdapterConfig(await readJsonText(configFile, MAX_ADAPTER_CONFIG_BYTES), configFile);
  const weightsFile = path.join(folder, ADAPTER_WEIGHTS_FILE);
  if (!(await isFile(weightsFile))) return { source: target, ...config, pairs: [] };
  const header = await readCheckpointHeader(weightsFile);
  return { source: target, ...config, pairs: pairAdapterTensors(header.tensors, config, weightsFile), weightsFile };
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((s) => s.isFile(), () => false);
}

/** Validates the text of an adapter_config.json. Defaults are PEFT's (r 8, lora_alpha 8). */
export function parseAdapterConfig(text: string, file: string): AdapterConfigFields {
  const raw = parseJsonObject(text, file);
  const fail = (field: string, problem: string): never => {
    throw new FormatError(file, `field '${field}' ${problem}`);
  };
  const peftType = raw.peft_type;
  if (peftType !== undefined && peftType !== null && peftType !== 'LORA') {
    throw new FormatError(file, `peft_type ${jsonKind(peftType)} is not supported (only LORA adapters)`);
  }
  const positiveInt = (field: string, v: unknown): number => {
    if (typeof v !== 'number') return fail(field, `must be a number, got ${jsonKind(v)}`);
    if (!Number.isInteger(v) || v < 1 || v > 1 << 24) return fail(field, `must be a positive whole number, got ${v}`);
    return v;
  };
  const positiveNumber = (field: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(field, `must be a number, got ${jsonKind(v)}`);
    if (v <= 0) return fail(field, `must be positive, got ${v}`);
    return v;
  };
  const r = raw.r === undefined ? 8 : positiveInt('r', raw.r);
  const loraAlpha = raw.lora_alpha === undefined ? 8 : positiveNumber('lora_alpha', raw.lora_alpha);
  const useRslora = raw.use_rslora ?? false;
  if (typeof useRslora !== 'boolean') fail('use_rslora', `must be true or false, got ${jsonKind(useRslora)}`);

  let targetModules: string[] | string | null = null;
  const tm = raw.target_modules;
  if (typeof tm === 'string') targetModules = checkedPattern(tm, file, 'target_modules');
  else if (Array.isArray(tm)) {
    targetModules = tm.map((t, i) => (typeof t === 'string' ? t : fail(`target_modules[${i}]`, `must be a string, got ${jsonKind(t)}`)));
  } else if (tm !== undefined && tm !== null) fail('target_modules', `must be a list of names or a regex string, got ${jsonKind(tm)}`);

  const patternMap = (field: string, check: (key: string, v: unknown) => number): Record<string, number> => {
    const v = raw[field];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) return fail(field, `must be an object, got ${jsonKind(v)}`);
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
      checkedPattern(key, file, `${field} key`);
      out[key] = check(`${field}.${key}`, value);
    }
    return out;
  };
  const rankPattern = patternMap('rank_pattern', positiveInt);
  const alphaPattern = patternMap('alpha_pattern', positiveNumber);

  let layersToTransform: number[] | null = null;
  const lt = raw.layers_to_transform;
  const layerIndex = (field: string, v: unknown): number =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fail(field, `must be a whole number ≥ 0, got ${jsonKind(v)}`);
  if (typeof lt === 'number') layersToTransform = [layerIndex('layers_to_transform', lt)];
  else if (Array.isArray(lt)) layersToTransform = lt.map((v, i) => layerIndex(`layers_to_transform[${i}]`, v));
  else if (lt !== undefined && lt !== null) fail('layers_to_transform', `must be a whole number or a list, got ${jsonKind(lt)}`);

  const base = raw.base_model_name_or_path;
  if (base !== undefined && base !== null && typeof base !== 'string') {
    fail('base_model_name_or_path', `must be a string, got ${jsonKind(base)}`);
  }
  return {
    configFile: file,
    r,
    loraAlpha,
    useRslora: useRslora as boolean,
    targetModules,
    rankPattern,
    alphaPattern,
    layersToTransform,
    baseModelNameOrPath: typeof base === 'string' ? base : null,
  };
}

// Nested quantifiers such as `(a+)+` can take exponential time on a non-matching name.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)(?:[+*]|\{\d)/;

/** Compiles a PEFT pattern once to prove it is a usable regex; returns it unchanged. */
function checkedPattern(pattern: string, file: string, what: string): string {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new FormatError(file, `${what} is ${pattern.length} characters long (limit ${MAX_PATTERN_LENGTH})`);
  if (NESTED_QUANTIFIER.test(pattern)) {
    throw new FormatError(file, `${what} '${printable(pattern)}' nests quantifiers, which can take exponential time to match`);
  }
  try {
    new RegExp(pattern);
  } catch {
    throw new FormatError(file, `${what} '${printable(pattern)}' is not a valid regular expression`);
  }
  return pattern;
}

const regexCache = new Map<string, RegExp>();
function cached(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(source);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

/**
 * PEFT's `get_pattern_key`: the first pattern key (in the given order) that matches `moduleName`
 * as a whole or as a dot-separated suffix, the key read as a regex. Undefined when none does.
 */
export function matchPatternKey(patternKeys: Iterable<string>, moduleName: string): string | undefined {
  for (const key of patternKeys) {
    if (key === moduleName) return key;
    let re: RegExp;
    try {
      re = cached(`^(?:.*\\.)?(?:${key})$`);
    } catch {
      continue; // parseAdapterConfig rejects invalid patterns; hand-built configs just do not match
    }
    if (re.test(moduleName)) return key;
  }
  return undefined;
}

/** The LoRA rank PEFT gives `moduleName`: its rank_pattern entry, else r. */
export function rankForModule(config: Pick<AdapterConfigFields, 'r' | 'rankPattern'>, moduleName: string): number {
  const key = matchPatternKey(Object.keys(config.rankPattern), moduleName);
  return key === undefined ? config.r : config.rankPattern[key];
}

/** The alpha PEFT gives `moduleName`: its alpha_pattern entry, else lora_alpha. */
export function alphaForModule(config: Pick<AdapterConfigFields, 'loraAlpha' | 'alphaPattern'>, moduleName: string): number {
  const key = matchPatternKey(Object.keys(config.alphaPattern), moduleName);
  return key === undefined ? config.loraAlpha : config.alphaPattern[key];
}

/** LoRA's output scale: alpha / r, or alpha / √r with rank-stabilised LoRA. */
export function loraScale(alpha: number, rank: number, useRslora: boolean): number {
  return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
}

/** PEFT's default block-index pattern for `layers_to_transform`: the number after the second-to-last… segment. */
const LAYER_INDEX = /^.*\.[^.]*\.(\d+)\./;

/** Whether PEFT would put a LoRA on `moduleName` (base-model module name, no PEFT prefix). */
export function isTargetModule(
  config: Pick<AdapterConfigFields, 'targetModules' | 'layersToTransform'>, moduleName: string,
): boolean {
  const tm = config.targetModules;
  if (tm === null) return false;
  if (typeof tm === 'string') {
    if (tm === 'all-linear') return !/(?:^|\.)lm_head$/.test(moduleName);
    try {
      return cached(`^(?:${tm})$`).test(moduleName);
    } catch {
      return false;
    }
  }
  const found = tm.some((t) => moduleName === t || moduleName.endsWith(`.${t}`));
  if (!found || config.layersToTransform === null || config.layersToTransform.length === 0) return found;
  const m = LAYER_INDEX.exec(moduleName);
  return m !== null && config.layersToTransform.includes(Number(m[1]));
}

const LORA_KEY = /^(.*)\.(lora_A|lora_B|lora_embedding_A|lora_embedding_B)(?:\.([^.]+))?$/;

/**
 * Pairs `lora_A`/`lora_B` tensors by base module (PEFT prefix and adapter name stripped) and
 * checks them: both present, 2-D, A `[r, in]` and B `[out, r]` with the same r, r as configured.
 * Tensors that are not LoRA factors (modules_to_save copies, DoRA magnitudes) are skipped.
 */
export function pairAdapterTensors(tensors: readonly TensorRef[], config: AdapterConfigFields, weightsFile: string): AdapterPair[] {
  const factors = new Map<string, { a?: TensorRef; b?: TensorRef }>();
  const adapterNames = new Set<string>();
  for (const t of tensors) {
    const key = t.name.endsWith('.weight') ? t.name.slice(0, -'.weight'.length) : t.name;
    const m = LORA_KEY.exec(key);
    if (!m) continue;
    const base = m[1].startsWith(PEFT_PREFIX) ? m[1].slice(PEFT_PREFIX.length) : m[1];
    if (m[3] !== undefined) adapterNames.add(m[3]);
    const entry = factors.get(base) ?? {};
    const slot = m[2].endsWith('A') ? 'a' : 'b';
    if (entry[slot]) throw new FormatError(weightsFile, `module ${printable(base)} has two lora_${slot.toUpperCase()} tensors`);
    entry[slot] = t;
    factors.set(base, entry);
  }
  if (adapterNames.size > 1) {
    throw new FormatError(weightsFile, `holds several adapters (${[...adapterNames].map(printable).join(', ')}); save each adapter separately`);
  }
  const pairs: AdapterPair[] = [];
  for (const [baseModule, { a, b }] of factors) {
    const name = printable(baseModule);
    if (!a || !b) {
      throw new FormatError(weightsFile, `module ${name} has ${a ? 'lora_A but no lora_B' : 'lora_B but no lora_A'}`);
    }
    if (a.shape.length !== 2 || b.shape.length !== 2) {
      throw new FormatError(weightsFile, `module ${name}: lora_A is [${a.shape.join(', ')}] and lora_B is [${b.shape.join(', ')}]; only 2-D (linear) LoRA factors are supported`);
    }
    const rank = a.shape[0];
    if (b.shape[1] !== rank) {
      throw new FormatError(weightsFile, `module ${name}: lora_A is [${a.shape.join(', ')}] ([r, in]) but lora_B is [${b.shape.join(', ')}] ([out, r]): the ranks ${rank} and ${b.shape[1]} differ`);
    }
    const expected = rankForModule(config, baseModule);
    if (rank !== expected) {
      const key = matchPatternKey(Object.keys(config.rankPattern), baseModule);
      const why = key === undefined ? `r = ${config.r}` : `rank_pattern '${printable(key)}' = ${expected}`;
      throw new FormatError(weightsFile, `module ${name}: the tensors have rank ${rank} but ${path.basename(config.configFile)} gives ${why}`);
    }
    const alpha = alphaForModule(config, baseModule);
    pairs.push({ baseModule, a, b, rank, alpha, scale: loraScale(alpha, rank, config.useRslora) });
  }
  return pairs.sort((x, y) => naturalCompare(x.baseModule, y.baseModule));
}

/**
 * Checks an adapter against the base model it modifies: every adapted module exists, A's columns
 * equal the module's inputs and B's rows its outputs. Throws a FormatError naming the weights file.
 */
export function checkAdapterAgainstModel(adapter: AdapterSpec, model: ModelSpec): void {
  const byName = new Map(model.modules.map((m) => [m.name, m]));
  const file = adapter.weightsFile ?? adapter.configFile;
  for (const p of adapter.pairs) {
    const mod = byName.get(p.baseModule);
    if (!mod) throw new FormatError(file, `adapts ${printable(p.baseModule)}, which the base model (${model.source}) does not have`);
    const [out, inp] = mod.shape;
    if (p.a.shape[1] !== inp || p.b.shape[0] !== out) {
      throw new FormatError(file, `module ${printable(p.baseModule)}: lora_B·lora_A is [${p.b.shape[0]}, ${p.a.shape[1]}] but the base weight is [${mod.shape.join(', ')}]`);
    }
  }
}

/** String order with digit runs compared as numbers (`layers.2` before `layers.10`). */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const numeric = i % 2 === 1;
    if (numeric) return Number(pa[i]) - Number(pb[i]) || pa[i].length - pb[i].length;
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}
