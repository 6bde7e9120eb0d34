/**
 * A checkpoint header (and optionally its config) → the architecture part of a ModelSpec:
 * kind, transformer dims or sequential layer order, modules with roles and `[out, in]` shapes.
 */
import type { HfConfig } from '../config';
import type { ArchitectureKind, CheckpointHeader, ModuleRole, ModuleSpec, TransformerDims } from '../types';
import { adoptKvHeadsFromWeights, checkConfigAgainstWeights, listSome } from './crossCheck';
import { groupTensors, numel, type TensorGroup } from './group';
import { dominantFamily, fusedSlicesFor, inferDims, type ClassifiedModule } from './infer';
import { ATTENTION_ROLES, classifyModuleName } from './roles';
import { detectSequentialMlp } from './sequential';
import { expectedModules, expectedToModuleSpec } from './templates';

export interface ArchitectureDescription {
  kind: ArchitectureKind;
  transformer?: TransformerDims;
  sequentialLayers?: string[];
  modules: ModuleSpec[];
  notes: string[];
}

/** Architecture from a config alone: modules with shapes, no tensors. */
export function describeConfigOnly(config: HfConfig): ArchitectureDescription {
  const dtype = config.storageDtype ?? 'F32';
  const notes = [`config only: shapes come from ${config.modelType} config fields; no weights were read`];
  if (!config.storageDtype) notes.push('config states no torch_dtype; F32 assumed');
  if (config.family === 'bert' || config.family === 'distilbert') notes.push('task heads (pooler, classifier, MLM head) are not listed');
  return {
    kind: 'transformer',
    transformer: config.dims,
    modules: expectedModules(config).map((m) => expectedToModuleSpec(m, dtype)),
    notes,
  };
}

/**
 * Architecture from checkpoint tensor names and shapes, cross-checked against `config` when given
 * (a disagreement throws a FormatError naming the config file).
 */
export function describeCheckpoint(header: CheckpointHeader, config?: HfConfig): ArchitectureDescription {
  const groups = groupTensors(header.tensors);
  const notes: string[] = [];
  const classified = groups.map(classify);
  const isTransformer = classified.some((m) => ATTENTION_ROLES.has(m.spec.role) && m.spec.layer !== undefined);

  if (!isTransformer && !config) {
    const mlp = describeSequential(groups, notes);
    if (mlp) return finish(mlp, notes);
    notes.push('no transformer blocks and no plain sequential MLP recognised in the tensor names');
    return finish({ kind: 'unknown', modules: classified.map((m) => m.spec), notes }, notes);
  }

  const family = dominantFamily(classified);
  let dims: TransformerDims | undefined;
  if (config) {
    const effective = adoptKvHeadsFromWeights(config, classified, family, notes);
    checkConfigAgainstWeights(effective, classified, header.source, notes);
    dims = effective.dims;
  } else {
    dims = inferDims(classified, notes);
  }
  if (dims) attachFusedSlices(classified, family, dims, notes);
  const modules = classified.map((m) => m.spec).sort(transformerOrder(classified));
  return finish({ kind: 'transformer', transformer: dims, modules, notes }, notes);
}

function classify(g: TensorGroup): ClassifiedModule {
  const c = classifyModuleName(g.name, g.weight.shape.length);
  const transposed = c.conv1d && g.weight.shape.length === 2;
  const shape = transposed ? [g.weight.shape[1], g.weight.shape[0]] : [...g.weight.shape];
  const spec: ModuleSpec = {
    name: g.name,
    role: c.role,
    shape,
    dtype: g.weight.dtype,
    parameters: numel(g.weight.shape) + (g.bias ? numel(g.bias.shape) : 0),
    weight: g.weight,
  };
  if (c.layer !== undefined) spec.layer = c.layer;
  if (transposed) spec.transposed = true;
  if (g.bias) spec.bias = g.bias;
  return { spec, family: c.family };
}

function attachFusedSlices(mods: ClassifiedModule[], family: ClassifiedModule['family'], dims: TransformerDims, notes: string[]): void {
  const unsplit: string[] = [];
  for (const m of mods) {
    if (m.spec.role !== 'qkv') continue;
    const slices = fusedSlicesFor(m.family ?? family, m.spec.shape[0], dims);
    if (slices) m.spec.fusedSlices = slices;
    else unsplit.push(m.spec.name);
  }
  if (unsplit.length > 0) notes.push(`fused q/k/v layout unknown, not split: ${listSome(unsplit)}`);
  if (mods.some((m) => m.family === 'phi3' && m.spec.role === 'up')) {
    notes.push('phi3 gate_up_proj fuses gate (first half of the rows) and up (second half); shown with role up');
  }
}

function describeSequential(groups: readonly TensorGroup[], notes: string[]): ArchitectureDescription | undefined {
  const mlp = detectSequentialMlp(groups);
  if (!mlp) return undefined;
  notes.push(...mlp.chainProblems.map((p) => `not a chain: ${p}`));
  const inChain = new Set(mlp.layers);
  const layerSpecs = mlp.layers.map((g, position) => {
    const spec = classify(g).spec;
    spec.role = 'linear';
    spec.layer = position;
    return spec;
  });
  const rest = groups.filter((g) => !inChain.has(g)).map((g) => classify(g).spec);
  return {
    kind: 'mlp',
    sequentialLayers: layerSpecs.map((s) => s.name),
    modules: [...layerSpecs, ...rest],
    notes,
  };
}

const ROLE_RANK: readonly ModuleRole[] = [
  'embedding', 'q', 'k', 'v', 'qkv', 'o', 'gate', 'up', 'fc_in', 'down', 'fc_out', 'linear', 'norm', 'lm_head', 'other',
];

/** Embeddings, then blocks in numeric order (attention, MLP, norms), then the rest. */
function transformerOrder(mods: readonly ClassifiedModule[]): (a: ModuleSpec, b: ModuleSpec) => number {
  const order = new Map(mods.map((m, i) => [m.spec, i]));
  const group = (s: ModuleSpec): number => (s.layer !== undefined ? 1 : s.role === 'embedding' ? 0 : 2);
  return (a, b) =>
    group(a) - group(b)
    || (a.layer ?? 0) - (b.layer ?? 0)
    || (group(a) === 1 ? ROLE_RANK.indexOf(a.role) - ROLE_RANK.indexOf(b.role) : 0)
    || (order.get(a) ?? 0) - (order.get(b) ?? 0);
}

/** Adds the notes every description carries: unanalysable dtypes and unknown roles. */
function finish(desc: ArchitectureDescription, notes: string[]): ArchitectureDescription {
  const unanalysable = desc.modules.filter((m) => m.weight && !m.weight.analysable);
  if (unanalysable.length > 0) {
    const dtypes = [...new Set(unanalysable.map((m) => m.dtype))].join(', ');
    notes.push(`${unanalysable.length} tensor(s) of dtype ${dtypes} cannot be analysed: ${listSome(unanalysable.map((m) => m.name))}`);
  }
  const other = desc.modules.filter((m) => m.role === 'other');
  if (other.length > 0 && desc.kind !== 'unknown') {
    notes.push(`${other.length} tensor(s) with no known role (kept as 'other'): ${listSome(other.map((m) => m.name))}`);
  }
  desc.notes = notes;
  return desc;
}
