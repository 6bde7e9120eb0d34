/**
 * `loadModel(path)`: a `.safetensors` file, a sharded index, a `config.json`, or a folder holding
 * a config and/or weights → one ModelSpec. Config and weights together are cross-checked.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeCheckpoint, describeConfigOnly } from './architecture';
import { describeFsError, readHfConfig } from './config';
import { readCheckpointHeader } from './safetensors';
import { FormatError, type ModelSpec } from './types';

const CONFIG_NAME = 'config.json';
const ADAPTER_CONFIG_NAME = 'adapter_config.json';
const ADAPTER_WEIGHTS_NAME = 'adapter_model.safetensors';
const INDEX_SUFFIX = '.safetensors.index.json';
const WEIGHTS_SUFFIX = '.safetensors';

/** What a path resolves to before anything is parsed. */
export interface ModelFiles {
  /** `config.json`, when there is one. */
  config?: string;
  /** A `.safetensors` file or a sharded index, when there is one. */
  weights?: string;
}

/** Reads the model at `path`. Every problem is a FormatError naming the file and the problem. */
export async function loadModel(target: string): Promise<ModelSpec> {
  const files = await resolveModelFiles(target);
  const config = files.config ? await readHfConfig(files.config) : undefined;
  if (!files.weights) {
    if (!config) throw new FormatError(target, 'holds no config.json and no .safetensors weights');
    return { source: target, ...describeConfigOnly(config) };
  }
  const header = await readCheckpointHeader(files.weights);
  const desc = describeCheckpoint(header, config);
  return { source: target, ...desc, checkpoint: header };
}

/** Which config and weights a path names (a file, or a folder holding them). */
export async function resolveModelFiles(target: string): Promise<ModelFiles> {
  let stat;
  try {
    stat = await fs.stat(target);
  } catch (e) {
    throw new FormatError(target, describeFsError(e));
  }
  if (stat.isDirectory()) return resolveFolder(target);
  const base = path.basename(target);
  const lower = base.toLowerCase();
  if (lower === ADAPTER_CONFIG_NAME) {
    throw new FormatError(target, 'is a PEFT adapter config, not a model (inspect the adapter folder instead)');
  }
  if (lower.endsWith(WEIGHTS_SUFFIX) || lower.endsWith(INDEX_SUFFIX)) {
    // A config beside the weights describes them (the Hugging Face layout).
    const sibling = path.join(path.dirname(target), CONFIG_NAME);
    const config = lower === ADAPTER_WEIGHTS_NAME ? undefined : await existingFile(sibling);
    return { weights: target, config };
  }
  if (lower.endsWith('.json')) return { config: target };
  throw new FormatError(target, `not a ${WEIGHTS_SUFFIX} file, a ${INDEX_SUFFIX} or a ${CONFIG_NAME}`);
}

async function resolveFolder(folder: string): Promise<ModelFiles> {
  let names: string[];
  try {
    names = (await fs.readdir(folder)).sort();
  } catch (e) {
    throw new FormatError(folder, describeFsError(e));
  }
  const config = await existingFile(path.join(folder, CONFIG_NAME));
  const weights = await chooseWeights(folder, names);
  if (!config && !weights) {
    if (names.includes(ADAPTER_CONFIG_NAME)) {
      throw new FormatError(folder, 'is a PEFT adapter folder (adapter_config.json), not a model');
    }
    throw new FormatError(folder, `holds no ${CONFIG_NAME} and no ${WEIGHTS_SUFFIX} weights`);
  }
  return { config, weights };
}

/** The index if any, else `model.safetensors`, else the only `.safetensors` file (adapters excluded). */
async function chooseWeights(folder: string, names: readonly string[]): Promise<string | undefined> {
  const indexes = names.filter((n) => n.endsWith(INDEX_SUFFIX));
  if (indexes.includes(`model${INDEX_SUFFIX}`)) return path.join(folder, `model${INDEX_SUFFIX}`);
  if (indexes.length === 1) return path.join(folder, indexes[0]);
  if (names.includes(`model${WEIGHTS_SUFFIX}`)) return path.join(folder, `model${WEIGHTS_SUFFIX}`);
  const files = names.filter((n) => n.endsWith(WEIGHTS_SUFFIX) && n !== ADAPTER_WEIGHTS_NAME);
  if (files.length > 1 || indexes.length > 1) {
    const listed = [...indexes, ...files];
    throw new FormatError(folder, `holds several checkpoints (${listed.slice(0, 5).join(', ')}${listed.length > 5 ? ', …' : ''}): name one file`);
  }
  return files.length === 1 ? path.join(folder, files[0]) : undefined;
}

async function existingFile(file: string): Promise<string | undefined> {
  return fs.stat(file).then((s) => (s.isFile() ? file : undefined), () => undefined);
}
