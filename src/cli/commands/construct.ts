/**
 * `lora-lens construct`: the paper's explicit construction (theory §2) on the user's own FNN pair,
 * written as a PEFT adapter folder and checked against the target on random inputs (issue 6).
 * Runs in float64 TypeScript in this process (O(D³) per layer), hence the width limit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sequentialLayers, uniformWidth } from '../../engine/analysis/architecture';
import { AnalysisInputError } from '../../engine/analysis/context';
import { coarserDtype } from '../../engine/analysis/dtypes';
import { readBias, readMatrix } from '../../engine/analysis/weights';
import { add, type Mat, matmul64, transpose } from '../../engine/linalg';
import { buildConstruction, exportPeftAdapter, type Fnn, forwardFnn, gaussianInputs, type LayerAdapter, meanSquaredError, SeededRandom, SingularMatrixError } from '../../engine/training';
import { loadModel } from '../../formats/loadModel';
import type { StorageDtype } from '../../engine/linalg';
import type { ModelSpec } from '../../formats/types';
import { uniformPartition, validatePartition, type Partition } from '../../theory';
import { intOption, parseArgs, requireInt, stringOption, UsageError } from '../args';
import type { CliIO } from '../io';

export const constructUsage = `Usage:
  lora-lens construct <frozen> <target> --rank R --out <folder> [--partition 1-2,3-6]
                      [--dtype F64|F32] [--samples 5000] [--seed 0] [--force] [--json]

  The paper's explicit construction (Zeng & Lee, theory §2) on your own FNN pair: LoRA factors and
  biases for every frozen layer at rank R, written as a PEFT adapter folder (adapter_model.safetensors
  and adapter_config.json, bias "all", lora_alpha = r), then checked: the adapted frozen model against
  the target on random inputs x ~ N(0, I).
  <frozen>, <target>  sequential MLP checkpoints (.safetensors, or folders), every layer D×D, the
                      frozen one at least as deep
  --partition  frozen layers per target layer, as ranges (default: the uniform partition)
  --samples    inputs the inner biases are fitted on (exactness is claimed there) and as many fresh
               ones for a held-out check
  --dtype      storage of the adapter (default F64: the construction's inner biases can be huge,
               and float32 may not hold the exactness; the check reports the model as stored)
  --force      replace adapter files already in <folder> (input files are never replaced)
`;

/** Jacobi SVD in TypeScript is O(D³) per sweep: beyond this a run takes minutes. */
const MAX_WIDTH = 512;

/** "1-2,3-6" → [[1, 2], [3, 4, 5, 6]]. */
export function parsePartition(raw: string): Partition {
  return raw.split(',').map((part) => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new UsageError(`--partition must be ranges like 1-2,3-6, got '${raw}'`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || to - from > 100_000) throw new UsageError(`--partition: bad range '${part.trim()}'`);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

async function readFnn(model: ModelSpec): Promise<{ net: Fnn; names: string[]; dtype: string }> {
  const layers = sequentialLayers(model);
  const width = uniformWidth(model, layers);
  if (width > MAX_WIDTH) throw new UsageError(`${model.source}: width ${width} is above ${MAX_WIDTH}, the limit of the float64 construction`);
  const net: Fnn = { width, layers: [] };
  for (const m of layers) {
    const weight = await readMatrix(m, true);
    if (!weight.data.every(Number.isFinite)) throw new UsageError(`${model.source}: layer ${m.name} holds NaN or infinite values`);
    net.layers.push({ weight: { rows: weight.rows, cols: weight.cols, data: Float64Array.from(weight.data) }, bias: (await readBias(m)) ?? new Float64Array(width) });
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

export async function constructCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    rank: { value: true }, out: { value: true }, partition: { value: true }, samples: { value: true }, seed: { value: true }, dtype: { value: true },
    force: { value: false }, json: { value: false },
  });
  if (args.positionals.length !== 2) throw new UsageError('expected <frozen> and <target>');
  const [frozenPath, targetPath] = args.positionals as [string, string];
  const rank = requireInt(args, 'rank', 1);
  const out = stringOption(args, 'out');
  if (!out) throw new UsageError('--out <folder> is required (the PEFT adapter folder to write)');
  const samples = Math.min(intOption(args, 'samples', 1) ?? 5000, 1_000_000);
  const seed = intOption(args, 'seed', 0) ?? 0;
  const force = args.options.has('force');
  const storage = stringOption(args, 'dtype') ?? 'F64';
  if (storage !== 'F64' && storage !== 'F32') throw new UsageError(`--dtype must be F64 or F32, got '${storage}'`);

  let frozen: Awaited<ReturnType<typeof readFnn>>;
  let target: Awaited<ReturnType<typeof readFnn>>;
  try {
    frozen = await readFnn(await loadModel(frozenPath));
    target = await readFnn(await loadModel(targetPath));
  } catch (error) {
    if (error instanceof AnalysisInputError) throw new UsageError(error.message);
    throw error;
  }
  const D = frozen.net.width;
  const L = frozen.net.layers.length;
  const Lbar = target.net.layers.length;
  if (target.net.width !== D) throw new UsageError(`widths differ: ${frozenPath} has D=${D}, ${targetPath} has D=${target.net.width}`);
  if (Lbar > L) throw new UsageError(`the frozen model (${L} layers) must be at least as deep as the target (${Lbar} layers)`);
  if (rank > D) throw new UsageError(`--rank must be at most the width ${D}, got ${rank}`);
  const rawPartition = stringOption(args, 'partition');
  const partition = rawPartition ? parsePartition(rawPartition) : uniformPartition(L, Lbar);
  validatePartition(partition, L, Lbar);

  // Never write over an input, never over existing adapter files without --force.
  const folder = path.resolve(out);
  const files = ['adapter_model.safetensors', 'adapter_config.json'].map((f) => path.join(folder, f));
  const inputs = new Set([frozenPath, targetPath].map((p) => path.resolve(p)));
  for (const file of files) {
    if (inputs.has(file)) throw new UsageError(`${file} is an input; choose another --out folder`);
    if (!force && fs.existsSync(file)) throw new UsageError(`${file} exists; use --force to replace it`);
  }

  const fitInputs = gaussianInputs(samples, D, new SeededRandom(seed));
  const freshInputs = gaussianInputs(samples, D, new SeededRandom(seed + 1));
  let construction: ReturnType<typeof buildConstruction>;
  try {
    // Ranks of the discrepancies with the tolerance of the storage dtype (F32 checkpoints leave ~1e-7 tails).
    const dtype = coarserDtype(frozen.dtype, target.dtype) as StorageDtype; // one of F64, F32, F16, BF16
    construction = buildConstruction(frozen.net, target.net, rank, { inputs: fitInputs, biases: 'tunable', partition, dtype });
  } catch (error) {
    if (error instanceof SingularMatrixError) throw new UsageError(`the theorem's hypothesis fails here: ${error.message}`);
    throw error;
  }
  const mse = (net: Fnn, x: typeof fitInputs) => meanSquaredError(forwardFnn(net, x), forwardFnn(target.net, x));
  const check = {
    frozenMse: mse(frozen.net, freshInputs),
    adaptedMseOnFitInputs: mse(construction.adapted, fitInputs),
    adaptedMseOnFreshInputs: mse(construction.adapted, freshInputs),
    /** The adapter as written (factors and biases rounded to the storage dtype), on the fresh inputs. */
    storedMseOnFreshInputs: mse(asStored(frozen.net, construction.adapters, construction.adapted, storage), freshInputs),
    largestBias: Math.max(...construction.adapted.layers.map((l) => Math.max(...l.bias.map(Math.abs)))),
  };
  const written = await exportPeftAdapter(folder, construction.adapters, {
    rank,
    dtype: storage,
    biases: construction.adapted.layers.map((l) => l.bias),
    moduleNames: frozen.names,
    metadata: { 'lora-lens': `construction rank ${rank}, partition ${JSON.stringify(partition)}` },
  });

  const summary = {
    rank,
    partition,
    exactClaimed: construction.exactClaimed,
    blocks: construction.blocks.map((b) => ({
      targetLayer: b.targetLayer, layers: b.layers, discrepancyRank: b.discrepancyRank, rankBudget: b.rankBudget,
      predictedSpectralError: b.predictedSpectralError, measuredSpectralError: b.measuredSpectralError,
    })),
    check: { samples, ...check },
    files: written,
    notes: construction.notes,
  };
  if (args.options.has('json')) {
    io.out(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  const e = (v: number) => v.toExponential(2);
  const lines = [
    `construction at rank ${rank}, partition ${partition.map((b) => `[${b.join(' ')}]`).join(' ')}: ${construction.exactClaimed ? 'exact (every block has R·|P_i| ≥ rank(E_i))' : 'not exact: below the threshold in some block'}`,
    '',
    'target  frozen layers  rank(E_i)  directions  σ_{R|P_i|+1}(E_i)  measured ‖∏(W+ΔW) − W̄‖₂',
    ...construction.blocks.map((b) => `${String(b.targetLayer).padStart(6)}  ${b.layers.join(',').padEnd(13)}  ${String(b.discrepancyRank).padStart(9)}  ${String(b.rankBudget).padStart(10)}  ${e(b.predictedSpectralError).padStart(17)}  ${e(b.measuredSpectralError)}`),
    '',
    `test MSE against the target: frozen ${e(check.frozenMse)}; adapted ${e(check.adaptedMseOnFitInputs)} on the ${samples} inputs the biases were fitted on, ${e(check.adaptedMseOnFreshInputs)} on ${samples} fresh ones`,
    `the adapter as written (${storage}): ${e(check.storedMseOnFreshInputs)} on the fresh inputs; largest bias ${e(check.largestBias)}` +
      (check.storedMseOnFreshInputs > 1e3 * Math.max(check.adaptedMseOnFreshInputs, 1e-20) && storage === 'F32' ? ' (float32 does not hold this construction: use --dtype F64)' : ''),
    `wrote ${written.weightsFile}`,
    `wrote ${written.configFile}`,
    ...construction.notes.map((n) => `note: ${n}`),
  ];
  io.out(`${lines.join('\n')}\n`);
  return 0;
}
