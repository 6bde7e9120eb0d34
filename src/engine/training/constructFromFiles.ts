/**
 * The paper's explicit construction (theory §2) on the user's own FNN pair: read two sequential MLP
 * checkpoints, build adapters and biases at rank R, check the adapted model against the target on
 * random inputs (also as stored, after rounding to the adapter's dtype), write a PEFT folder.
 * Used by engine/construct (in an engine worker) and `lora-lens construct`. Float64 TypeScript,
 * O(D³) per layer, hence the width limit. Problems with the inputs are AnalysisInputErrors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConstructionRequest, ConstructionSummary } from '../../protocol';
import { loadModel } from '../../formats/loadModel';
import type { ModelSpec } from '../../formats/types';
import { TheoryInputError, uniformPartition, validatePartition } from '../../theory';
import { sequentialLayers, uniformWidth } from '../analysis/architecture';
import { AnalysisInputError } from '../analysis/context';
import { coarserDtype } from '../analysis/dtypes';
import { readBias, readMatrix } from '../analysis/weights';
import { add, type Mat, matmul64, SingularMatrixError, type StorageDtype, transpose } from '../linalg';
import { buildConstruction, type LayerAdapter } from './construction';
import { type Fnn, forwardFnn, gaussianInputs, meanSquaredError } from './fnn';
import { exportPeftAdapter } from './peftExport';
import { SeededRandom } from './random';

/** Jacobi SVD in TypeScript is O(D³) per sweep: beyond this a run takes minutes. */
export const CONSTRUCTION_MAX_WIDTH = 512;
const MAX_SAMPLES = 1_000_000;
/** Input values per set (two sets, float64, plus activations of the same size): ~160 MB each at most. */
const MAX_SAMPLE_VALUES = 20_000_000;

export interface ConstructionRunOptions {
  onProgress?: (fraction: number, message: string) => void;
}

interface LoadedFnn {
  net: Fnn;
  names: string[];
  /** Coarsest storage dtype of the layers. */
  dtype: string;
}

async function readFnn(model: ModelSpec): Promise<LoadedFnn> {
  const layers = sequentialLayers(model);
  const width = uniformWidth(model, layers);
  if (width > CONSTRUCTION_MAX_WIDTH) throw new AnalysisInputError(`${model.source}: width ${width} is above ${CONSTRUCTION_MAX_WIDTH}, the limit of the float64 construction`);
  const net: Fnn = { width, layers: [] };
  for (const m of layers) {
    const weight = await readMatrix(m, true);
    if (!weight.data.every(Number.isFinite)) throw new AnalysisInputError(`${model.source}: layer ${m.name} holds NaN or infinite values`);
    const bias = (await readBias(m)) ?? new Float64Array(width);
    if (!bias.every(Number.isFinite)) throw new AnalysisInputError(`${model.source}: the bias of layer ${m.name} holds NaN or infinite values`);
    net.layers.push({ weight: { rows: weight.rows, cols: weight.cols, data: Float64Array.from(weight.data) }, bias });
  }
  return { net, names: layers.map((m) => m.name), dtype: layers.map((m) => m.dtype as string).reduce(coarserDtype) };
}

/** The adapted network as stored: W + A·Bᵀ and biases with A, B and biases rounded to `dtype`. */
function asStored(frozen: Fnn, adapters: readonly LayerAdapter[], adapted: Fnn, dtype: 'F64' | 'F32'): Fnn {
  const round = (m: Mat): Mat => (dtype === 'F32' ? { ...m, data: m.data.map(Math.fround) } : m);
  return {
    width: frozen.width,
    layers: frozen.layers.map((layer, l) => ({
      weight: add(layer.weight, matmul64(round(adapters[l].a), transpose(round(adapters[l].b)))),
      bias: dtype === 'F32' ? adapted.layers[l].bias.map(Math.fround) : adapted.layers[l].bias,
    })),
  };
}

/** Checks the request's plain fields; throws a TheoryInputError naming the first bad one. */
function checkRequest(req: ConstructionRequest): void {
  const int = (name: string, v: unknown, min: number, max: number): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new TheoryInputError(`${name} must be a whole number in ${min}…${max}, got ${String(v)}`);
  };
  if (typeof req.frozen !== 'string' || typeof req.target !== 'string' || typeof req.outFolder !== 'string' || req.outFolder === '') {
    throw new TheoryInputError('frozen, target and outFolder must be paths');
  }
  int('rank', req.rank, 1, CONSTRUCTION_MAX_WIDTH);
  if (req.samples !== undefined) int('samples', req.samples, 1, MAX_SAMPLES);
  if (req.seed !== undefined) int('seed', req.seed, 0, 2 ** 32 - 1);
  if (req.dtype !== undefined && req.dtype !== 'F64' && req.dtype !== 'F32') throw new TheoryInputError(`dtype must be F64 or F32, got ${String(req.dtype)}`);
}

export async function constructFromFiles(req: ConstructionRequest, options: ConstructionRunOptions = {}): Promise<ConstructionSummary> {
  checkRequest(req);
  const progress = options.onProgress ?? (() => undefined);
  const dtypeOut = req.dtype ?? 'F64';
  const samples = req.samples ?? 5000;
  const seed = req.seed ?? 0;
  progress(0, 'reading the checkpoints');
  const frozen = await readFnn(await loadModel(req.frozen));
  const target = await readFnn(await loadModel(req.target));
  const D = frozen.net.width;
  const L = frozen.net.layers.length;
  const Lbar = target.net.layers.length;
  if (target.net.width !== D) throw new AnalysisInputError(`widths differ: ${req.frozen} has D=${D}, ${req.target} has D=${target.net.width}`);
  if (Lbar > L) throw new AnalysisInputError(`the frozen model (${req.frozen}, ${L} layers) must be at least as deep as the target (${req.target}, ${Lbar} layers)`);
  if (req.rank > D) throw new AnalysisInputError(`the rank must be at most the width ${D}, got ${req.rank}`);
  if (samples * D > MAX_SAMPLE_VALUES) throw new AnalysisInputError(`${samples} samples of width ${D} are too many; at most ${Math.floor(MAX_SAMPLE_VALUES / D)}`);
  const partition = req.partition ?? uniformPartition(L, Lbar);
  validatePartition(partition, L, Lbar);

  // Never write over an input, never over existing adapter files unless asked to.
  const folder = path.resolve(req.outFolder);
  const files = ['adapter_model.safetensors', 'adapter_config.json'].map((f) => path.join(folder, f));
  const inputs = new Set([req.frozen, req.target].map((p) => path.resolve(p)));
  for (const file of files) {
    if (inputs.has(file)) throw new AnalysisInputError(`${file} is an input; choose another output folder`);
    if (!req.overwrite && fs.existsSync(file)) throw new AnalysisInputError(`${file} exists; replace it explicitly (--force) or choose another folder`);
  }

  progress(0.2, `building the construction at rank ${req.rank}`);
  const fitInputs = gaussianInputs(samples, D, new SeededRandom(seed));
  const freshInputs = gaussianInputs(samples, D, new SeededRandom(seed + 1));
  let construction: ReturnType<typeof buildConstruction>;
  try {
    // Ranks of the discrepancies with the storage dtype's tolerance (F32 checkpoints leave ~1e-7 tails).
    const dtype = coarserDtype(frozen.dtype, target.dtype) as StorageDtype; // one of F64, F32, F16, BF16
    construction = buildConstruction(frozen.net, target.net, req.rank, { inputs: fitInputs, biases: 'tunable', partition, dtype });
  } catch (error) {
    if (error instanceof SingularMatrixError) throw new AnalysisInputError(`the theorem's hypothesis fails here: ${error.message}`);
    throw error;
  }
  progress(0.7, 'checking the adapted model against the target');
  const mse = (net: Fnn, x: Mat): number => meanSquaredError(forwardFnn(net, x), forwardFnn(target.net, x));
  const check = {
    samples,
    frozenMse: mse(frozen.net, freshInputs),
    adaptedMseOnFitInputs: mse(construction.adapted, fitInputs),
    adaptedMseOnFreshInputs: mse(construction.adapted, freshInputs),
    storedMseOnFreshInputs: mse(asStored(frozen.net, construction.adapters, construction.adapted, dtypeOut), freshInputs),
    largestBias: Math.max(...construction.adapted.layers.map((l) => Math.max(...l.bias.map(Math.abs)))),
  };
  progress(0.9, `writing ${folder}`);
  const written = await exportPeftAdapter(folder, construction.adapters, {
    rank: req.rank,
    dtype: dtypeOut,
    biases: construction.adapted.layers.map((l) => l.bias),
    moduleNames: frozen.names,
    metadata: { 'lora-lens': `construction rank ${req.rank}, partition ${JSON.stringify(partition)}` },
  });
  const notes = [...construction.notes];
  if (dtypeOut === 'F32' && check.storedMseOnFreshInputs > 1e3 * Math.max(check.adaptedMseOnFreshInputs, 1e-20)) {
    notes.push(`float32 does not hold this construction (largest bias ${check.largestBias.toExponential(2)}): store it in F64`);
  }
  progress(1, 'done');
  return {
    rank: req.rank,
    partition: partition.map((b) => [...b]),
    exactClaimed: construction.exactClaimed,
    blocks: construction.blocks.map((b) => ({
      targetLayer: b.targetLayer, layers: b.layers, discrepancyRank: b.discrepancyRank, rankBudget: b.rankBudget,
      predictedSpectralError: b.predictedSpectralError, measuredSpectralError: b.measuredSpectralError,
    })),
    check,
    dtype: dtypeOut,
    files: written,
    notes,
  };
}
