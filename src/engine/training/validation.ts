/**
 * The synthetic validation of theory §2/§5 (the paper's experiments): random frozen and target FNNs,
 * the explicit construction and Adam-fitted LoRA at every rank, median test MSE over seeds.
 */
import type {
  ValidationCurvePoint,
  ValidationMethod,
  ValidationRequest,
  ValidationResult,
} from '../../protocol';
import {
  finalLayerTuningParameterCount,
  fnnLoraParameterCount,
  fnnThresholdFromRanks,
  TheoryInputError,
  uniformPartition,
  validatePartition,
} from '../../theory';
import type { TensorBackend } from '../backend';
import { type BiasMode, buildConstruction } from './construction';
import { SingularMatrixError } from '../linalg';
import { type Fnn, forwardFnn, gaussianInputs, meanSquaredError, randomFnn } from './fnn';
import { fitGroupByGradient, type FitRunSpec } from './gradientFit';
import { deriveSeed, SeededRandom } from './random';

/** Progress of a validation run: fraction 0…1 and one line for people. */
export type ValidationProgress = (fraction: number, message: string) => void;

export interface ValidationRunOptions {
  /** Needed for `gradient` and `final-layers` (the construction runs in float64 TypeScript). */
  backend?: TensorBackend;
  onProgress?: ValidationProgress;
  signal?: AbortSignal;
}

/** Limits that keep a request from allocating without bound (the construction is O(D³) per layer). */
export const VALIDATION_LIMITS = { width: 64, depth: 64, samples: 1_000_000, batchSize: 65_536, steps: 1_000_000, seeds: 1000 };

/** The authors' settings (configs/config.py of their code) where the request leaves a field out. */
export function validationRequest(partial: Pick<ValidationRequest, 'width' | 'frozenDepth' | 'targetDepth'> & Partial<ValidationRequest>): ValidationRequest {
  const methods: ValidationMethod[] = partial.methods ?? ['construction', 'gradient'];
  return {
    ranks: Array.from({ length: partial.width }, (_, i) => i + 1),
    seeds: 5,
    methods,
    biasModes: ['tunable'],
    steps: 5000,
    batchSize: 256,
    learningRates: [1e-2, 1e-3, 1e-4],
    testSamples: 5000,
    validationSamples: 1000,
    baseSeed: 0,
    ...partial,
  };
}

/** Throws a TheoryInputError naming the first bad field. */
export function checkValidationRequest(req: ValidationRequest): void {
  const int = (name: string, v: unknown, min: number, max: number): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new TheoryInputError(`${name} must be a whole number in ${min}…${max}, got ${String(v)}`);
    }
  };
  const L = VALIDATION_LIMITS;
  int('width', req.width, 1, L.width);
  int('frozen depth', req.frozenDepth, 1, L.depth);
  int('target depth', req.targetDepth, 1, req.frozenDepth);
  int('seeds', req.seeds, 1, L.seeds);
  int('steps', req.steps, 1, L.steps);
  int('batch size', req.batchSize, 1, L.batchSize);
  int('test samples', req.testSamples, 1, L.samples);
  int('validation samples', req.validationSamples, 1, L.samples);
  int('base seed', req.baseSeed, 0, 2 ** 32 - 1);
  if (!Array.isArray(req.ranks) || req.ranks.length === 0) throw new TheoryInputError('ranks must list at least one rank');
  for (const r of req.ranks) int('rank', r, 1, req.width);
  if (!Array.isArray(req.methods) || req.methods.length === 0) throw new TheoryInputError('methods must list at least one method');
  for (const m of req.methods) {
    if (m !== 'construction' && m !== 'gradient' && m !== 'final-layers') throw new TheoryInputError(`unknown method '${String(m)}'`);
  }
  if (!Array.isArray(req.biasModes) || req.biasModes.length === 0) throw new TheoryInputError('biasModes must list tunable and/or frozen');
  for (const b of req.biasModes) if (b !== 'tunable' && b !== 'frozen') throw new TheoryInputError(`unknown bias mode '${String(b)}'`);
  if (!Array.isArray(req.learningRates) || req.learningRates.length === 0) throw new TheoryInputError('learningRates must list at least one rate');
  for (const lr of req.learningRates) {
    if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) throw new TheoryInputError(`learning rate must be positive, got ${String(lr)}`);
  }
  if (req.methods.includes('final-layers') && req.frozenDepth < 2) {
    throw new TheoryInputError('final-layer tuning needs a frozen depth of at least 2 (the first layer stays frozen)');
  }
  if (req.partition !== undefined) validatePartition(req.partition, req.frozenDepth, req.targetDepth);
}

/** Median ignoring NaN (NaN when every value is NaN). */
export function median(values: readonly number[]): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** LoRA rank (1…D) whose parameter count is nearest `parameters` (ties to the smaller rank). */
export function rankWithNearestParameters(D: number, L: number, parameters: number, tunableBiases: boolean): number {
  let best = 1;
  for (let r = 2; r <= D; r++) {
    const diff = Math.abs(fnnLoraParameterCount(D, r, L, tunableBiases) - parameters);
    if (diff < Math.abs(fnnLoraParameterCount(D, best, L, tunableBiases) - parameters)) best = r;
  }
  return best;
}

/** The data of one seed: models and input sets, all from the seed. */
interface SeedData {
  frozen: Fnn;
  target: Fnn;
  testX: ReturnType<typeof gaussianInputs>;
  testY: ReturnType<typeof forwardFnn>;
  valX: ReturnType<typeof gaussianInputs>;
  valY: ReturnType<typeof forwardFnn>;
  /** Seed for fitting (initialisation and batches). */
  fitSeed: number;
}

function seedData(req: ValidationRequest, s: number): SeedData {
  const seed = req.baseSeed + s;
  const models = new SeededRandom(deriveSeed(seed, 1));
  const frozen = randomFnn(req.width, req.frozenDepth, models);
  const target = randomFnn(req.width, req.targetDepth, models);
  const testX = gaussianInputs(req.testSamples, req.width, new SeededRandom(deriveSeed(seed, 2)));
  const valX = gaussianInputs(req.validationSamples, req.width, new SeededRandom(deriveSeed(seed, 3)));
  return { frozen, target, testX, testY: forwardFnn(target, testX), valX, valY: forwardFnn(target, valX), fitSeed: deriveSeed(seed, 4) };
}

/** One curve point being filled seed by seed. */
interface PointAccumulator {
  point: Omit<ValidationCurvePoint, 'medianTestMse'>;
  predicted: number[];
  exact: boolean[];
}

/**
 * Runs the request. Gradient runs need `options.backend`. Cancels with an AbortError (the signal's
 * reason) between training-step batches.
 */
export async function runValidation(req: ValidationRequest, options: ValidationRunOptions = {}): Promise<ValidationResult> {
  checkValidationRequest(req);
  const started = Date.now();
  const needsTraining = req.methods.some((m) => m !== 'construction');
  const backend = options.backend;
  if (needsTraining && !backend) throw new Error('runValidation: gradient fitting needs a tensor backend');
  const D = req.width;
  const L = req.frozenDepth;
  const partition = req.partition ?? uniformPartition(L, req.targetDepth);
  const threshold = fnnThresholdFromRanks(partition.map(() => D), partition, D);
  const notes: string[] = [
    'weights and biases of both models uniform in ±1/√D (PyTorch nn.Linear default, as the authors\' code); ReLU after every layer, the last included',
    'inputs x ~ N(0, I); test MSE is the mean over all outputs of (f(x) − f̄(x))², in float64',
    'construction with tunable biases: inner biases make every pre-activation non-negative on the test inputs themselves, so exactness is claimed on that sampled set (Gaussian inputs are unbounded)',
    'gradient: Adam on A, B of every layer (paper naming ΔW = A·Bᵀ; A = 0 and B ~ N(0, 0.25²) at start, i.e. PEFT\'s lora_B = 0, lora_A Gaussian), a fresh batch every step; the learning rate with the best validation MSE is kept',
  ];
  if (req.methods.includes('final-layers')) {
    notes.push('final-layers: Adam on the weights and biases of the last k layers (k = 1…L−1), plotted at the LoRA rank with the nearest parameter count (tunable biases)');
  }

  // The construction needs tunable biases (theory §2); with frozen ones it runs only when asked for
  // alone, and is then labelled not exact. In the bias ablation only gradient descent is compared.
  const constructionBiases: BiasMode[] = req.biasModes.includes('tunable') ? ['tunable'] : ['frozen'];
  if (req.methods.includes('construction') && req.biasModes.length > 1) {
    notes.push('bias ablation: the construction needs tunable biases (theory §2), so with frozen biases only gradient descent is compared');
  }
  const runsPerSeed = fitRunSpecs(req);
  const groupsPerSeed = Math.ceil(runsPerSeed.length / GROUP_SIZE);
  if (runsPerSeed.length > 0) {
    notes.push(`Adam runs of a seed train together as one batched tfjs model (up to ${GROUP_SIZE} runs per group; each run's gradient is its own, and all runs see the same input batches)`);
  }

  // Work units: one per group training step, one per construction.
  const constructionRuns = req.methods.includes('construction') ? req.ranks.length * constructionBiases.length : 0;
  const totalUnits = req.seeds * (groupsPerSeed * req.steps + constructionRuns);
  let doneUnits = 0;
  let trainingSteps = 0;
  const progress = (message: string): void => options.onProgress?.(totalUnits > 0 ? Math.min(1, doneUnits / totalUnits) : 1, message);

  const points = new Map<string, PointAccumulator>();
  const pointFor = (key: string, init: () => Omit<ValidationCurvePoint, 'medianTestMse'>): PointAccumulator => {
    let acc = points.get(key);
    if (!acc) {
      acc = { point: init(), predicted: [], exact: [] };
      points.set(key, acc);
    }
    return acc;
  };
  const baseline: number[] = [];
  const failures = new Set<string>();

  /** Trains every Adam run of a seed (in groups) and keeps, per curve point, the best learning rate. */
  /** "seed 2/5: " when the request has several seeds (a one-seed part of a split request says nothing). */
  const seedPrefix = (s: number): string => (req.seeds > 1 ? `seed ${s + 1}/${req.seeds}: ` : '');
  const fitAll = async (data: SeedData, prefix: string) => {
    const best = new Map<string, { val: number; test: number; lr: number }>();
    for (let g = 0; g < groupsPerSeed; g++) {
      const runs = runsPerSeed.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE);
      const before = doneUnits;
      const label = `${prefix}${runs.length} Adam runs${groupsPerSeed > 1 ? ` (group ${g + 1}/${groupsPerSeed})` : ''}`;
      const results = await fitGroupByGradient((backend as TensorBackend).tf, data.frozen, data.target, runs, {
        seed: data.fitSeed,
        steps: req.steps,
        batchSize: req.batchSize,
        signal: options.signal,
        onProgress: (stepsDone) => {
          doneUnits = before + stepsDone;
          progress(`${label}: step ${stepsDone}/${req.steps}`);
        },
      });
      doneUnits = before + req.steps;
      trainingSteps += req.steps * runs.length;
      results.forEach((result, i) => {
        const key = runKey(runs[i]);
        const val = meanSquaredError(forwardFnn(result.adapted, data.valX), data.valY);
        const current = best.get(key);
        // NaN (diverged) never wins.
        if (!current || val < current.val) {
          best.set(key, { val, test: meanSquaredError(forwardFnn(result.adapted, data.testX), data.testY), lr: runs[i].learningRate });
        }
      });
      await yieldToEventLoop();
      options.signal?.throwIfAborted();
    }
    return best;
  };

  for (let s = 0; s < req.seeds; s++) {
    options.signal?.throwIfAborted();
    const data = seedData(req, s);
    baseline.push(meanSquaredError(forwardFnn(data.frozen, data.testX), data.testY));

    if (req.methods.includes('construction')) {
      for (const bias of constructionBiases) {
        for (const rank of req.ranks) {
          const acc = pointFor(`construction/${bias}/${rank}`, () => ({
            method: 'construction', bias, rank, parameters: fnnLoraParameterCount(D, rank, L, bias === 'tunable'), perSeed: [],
          }));
          try {
            const c = buildConstruction(data.frozen, data.target, rank, { inputs: data.testX, biases: bias, partition });
            acc.point.perSeed.push(meanSquaredError(forwardFnn(c.adapted, data.testX), data.testY));
            acc.predicted.push(Math.max(...c.blocks.map((b) => b.predictedSpectralError)));
            acc.exact.push(c.exactClaimed);
          } catch (error) {
            if (!(error instanceof SingularMatrixError)) throw error;
            failures.add(`seed ${req.baseSeed + s}: ${error.message}`);
            acc.point.perSeed.push(NaN);
            acc.exact.push(false);
          }
          doneUnits++;
          await yieldToEventLoop();
          options.signal?.throwIfAborted();
        }
      }
      progress(`${seedPrefix(s)}construction done`);
    }

    const fitted = await fitAll(data, seedPrefix(s));
    const record = (acc: PointAccumulator, run: FitRunSpec): void => {
      const best = fitted.get(runKey(run)) ?? { test: NaN, lr: NaN };
      acc.point.perSeed.push(best.test);
      acc.point.learningRates?.push(best.lr);
    };
    if (req.methods.includes('gradient')) {
      for (const bias of req.biasModes) {
        for (const rank of req.ranks) {
          const acc = pointFor(`gradient/${bias}/${rank}`, () => ({
            method: 'gradient', bias, rank, parameters: fnnLoraParameterCount(D, rank, L, bias === 'tunable'), perSeed: [], learningRates: [],
          }));
          record(acc, { method: 'lora', rank, biases: bias, learningRate: 0 });
        }
      }
    }
    if (req.methods.includes('final-layers')) {
      for (let k = 1; k < L; k++) {
        const parameters = finalLayerTuningParameterCount(D, k + 1); // k·(D² + D)
        const acc = pointFor(`final-layers/${k}`, () => ({
          method: 'final-layers', bias: 'tunable', rank: rankWithNearestParameters(D, L, parameters, true), parameters, tunedLayers: k, perSeed: [], learningRates: [],
        }));
        record(acc, { method: 'final-layers', tunedLayers: k, biases: 'tunable', learningRate: 0 });
      }
    }
  }

  const curves: ValidationCurvePoint[] = [...points.values()].map(({ point, predicted, exact }) => ({
    ...point,
    medianTestMse: median(point.perSeed),
    ...(point.method === 'construction'
      ? { exactClaimed: exact.length > 0 && exact.every(Boolean), medianPredictedSpectralError: median(predicted) }
      : {}),
  }));
  if (failures.size > 0) notes.push(`hypothesis not met (non-singularity) for some runs, recorded as NaN: ${[...failures].slice(0, 3).join('; ')}`);
  progress('done');
  return {
    schemaVersion: 1,
    request: req,
    partition: partition.map((b) => [...b]),
    threshold: threshold.requiredRank,
    thresholdRule: threshold.ruleText,
    curves,
    baselineMedianTestMse: median(baseline),
    backend: backend ? { name: backend.name, version: backend.version } : null,
    trainingSteps,
    seconds: (Date.now() - started) / 1000,
    notes,
  };
}

/** Runs per training group: at width 16 throughput on wasm stops growing beyond about 16–24 (measured). */
const GROUP_SIZE = 24;

/** Every Adam run of one seed: LoRA at each bias mode, rank and learning rate; final-layer tuning at each k. */
function fitRunSpecs(req: ValidationRequest): FitRunSpec[] {
  const runs: FitRunSpec[] = [];
  for (const learningRate of req.learningRates) {
    if (req.methods.includes('gradient')) {
      for (const biases of req.biasModes) for (const rank of req.ranks) runs.push({ method: 'lora', rank, biases, learningRate });
    }
    if (req.methods.includes('final-layers')) {
      for (let k = 1; k < req.frozenDepth; k++) runs.push({ method: 'final-layers', tunedLayers: k, biases: 'tunable', learningRate });
    }
  }
  return runs;
}

/** A curve point's identity: the run without its learning rate. */
function runKey(run: FitRunSpec): string {
  return run.method === 'lora' ? `lora/${run.biases}/${run.rank}` : `final-layers/${run.tunedLayers}`;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The paper's synthetic sweep as three requests: (L̄, L) = (1, 2) and (2, 4) with construction and
 * gradient at ranks 1…D, both bias modes (the ablation); and L̄ = 1, L = 8 with final-layer tuning
 * against LoRA at the ranks with matching parameter counts.
 */
export function syntheticSweepRequests(overrides: Partial<ValidationRequest> = {}): ValidationRequest[] {
  const width = overrides.width ?? 16;
  const common = { ...overrides, width };
  const flt = validationRequest({ frozenDepth: 8, targetDepth: 1, methods: ['gradient', 'final-layers'], biasModes: ['tunable'], ...common });
  const matched = [...new Set(Array.from({ length: 7 }, (_, k) => rankWithNearestParameters(width, 8, finalLayerTuningParameterCount(width, k + 2), true)))];
  return [
    validationRequest({ frozenDepth: 2, targetDepth: 1, methods: ['construction', 'gradient'], biasModes: ['tunable', 'frozen'], ...common }),
    validationRequest({ frozenDepth: 4, targetDepth: 2, methods: ['construction', 'gradient'], biasModes: ['tunable', 'frozen'], ...common }),
    { ...flt, ranks: overrides.ranks ?? matched },
  ];
}

