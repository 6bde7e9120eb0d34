/**
 * `lora-lens validate`: the paper's construction and gradient-descent LoRA on random FNNs,
 * median test MSE per rank against the theoretical threshold (issue 6).
 */
import type { ValidationBiasMode, ValidationMethod } from '../../protocol';
import { BACKEND_ORDER, BackendUnavailableError, loadBackend, type BackendPreference, type TensorBackend } from '../../engine/backend';
import { renderValidationTable, validationRequest, VALIDATION_LIMITS } from '../../engine/training';
import { runValidationOnThreads } from '../../engine/training/seedThreads';
import { availableParallelism } from 'node:os';
import { intOption, parseArgs, requireInt, stringOption, UsageError } from '../args';
import type { CliIO } from '../io';
import { renderValidationHtml } from '../../report/validationHtml';

export const validateUsage = `Usage:
  lora-lens validate --width D --frozen-depth L --target-depth L̄ [--ranks 1-16] [--seeds 5]
                     [--methods construction,gradient,final-layers] [--bias tunable|frozen|both]
                     [--steps 5000] [--batch-size 256] [--learning-rates 1e-2,1e-3,1e-4]
                     [--test-samples 5000] [--seed 0] [--backend auto|wasm|cpu|tensorflow|tensorflow-gpu]
                     [--jobs N] [--json | --format html]

  Random frozen (depth L) and target (depth L̄) ReLU networks of width D; for each rank, the paper's
  explicit construction and/or LoRA fitted by Adam; median test MSE over seeds, threshold marked.
  --ranks    list and ranges, e.g. 1-16 or 1,2,4-8 (default 1…D)
  --methods  default construction,gradient; final-layers tunes the last k = 1…L−1 layers instead
  --bias     tunable (theory §2), frozen, or both (the bias ablation of gradient descent;
             the construction needs tunable biases and runs frozen only with --bias frozen)
  --jobs     seeds trained at once on separate threads (default: the number of cores)
  --json     one JSON object: threshold, curves [{method, bias, rank, medianTestMse, perSeed, …}], notes
  --format html  a self-contained HTML page (plot with the threshold marked, table, notes)
`;

const METHODS: readonly ValidationMethod[] = ['construction', 'gradient', 'final-layers'];

/** "1-4,8" → [1, 2, 3, 4, 8] (sorted, unique). */
export function parseRankList(raw: string, max: number): number[] {
  const out = new Set<number>();
  for (const part of raw.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UsageError(`--ranks must be whole numbers or ranges like 1-16, got '${raw}'`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to < from || to > max) throw new UsageError(`--ranks: '${part}' is not a range within 1…${max} (the width)`);
    for (let r = from; r <= to; r++) out.add(r);
  }
  return [...out].sort((a, b) => a - b);
}

function parseList<T extends string>(raw: string | undefined, allowed: readonly T[], option: string): T[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new UsageError(`--${option}: unknown value '${item}' (expected ${allowed.join(', ')})`);
  }
  return [...new Set(items as T[])];
}

function parseRates(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  return raw.split(',').map((s) => {
    const v = Number(s.trim());
    if (s.trim() === '' || !Number.isFinite(v) || v <= 0) throw new UsageError(`--learning-rates must be positive numbers, got '${raw}'`);
    return v;
  });
}

export async function validateCommand(argv: string[], io: CliIO): Promise<number> {
  const valued = ['width', 'frozen-depth', 'target-depth', 'ranks', 'seeds', 'methods', 'bias', 'steps', 'batch-size', 'learning-rates', 'test-samples', 'seed', 'backend', 'format', 'jobs'];
  const args = parseArgs(argv, { ...Object.fromEntries(valued.map((v) => [v, { value: true }])), json: { value: false } });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const format = stringOption(args, 'format') ?? (args.options.has('json') ? 'json' : 'text');
  if (!['text', 'json', 'html'].includes(format)) throw new UsageError(`--format must be text, json or html, got '${format}'`);
  const width = requireInt(args, 'width', 1);
  if (width > VALIDATION_LIMITS.width) throw new UsageError(`--width must be at most ${VALIDATION_LIMITS.width} (validation trains small networks), got ${width}`);
  const frozenDepth = requireInt(args, 'frozen-depth', 1);
  const targetDepth = requireInt(args, 'target-depth', 1);
  if (frozenDepth > VALIDATION_LIMITS.depth) throw new UsageError(`--frozen-depth must be at most ${VALIDATION_LIMITS.depth}, got ${frozenDepth}`);
  if (targetDepth > frozenDepth) throw new UsageError(`--target-depth (${targetDepth}) must not exceed --frozen-depth (${frozenDepth})`);
  const rawRanks = stringOption(args, 'ranks');
  const methods = parseList(stringOption(args, 'methods'), METHODS, 'methods');
  const biasRaw = stringOption(args, 'bias');
  if (biasRaw !== undefined && !['tunable', 'frozen', 'both'].includes(biasRaw)) throw new UsageError(`--bias must be tunable, frozen or both, got '${biasRaw}'`);
  const biasModes: ValidationBiasMode[] | undefined = biasRaw === undefined ? undefined : biasRaw === 'both' ? ['tunable', 'frozen'] : [biasRaw as ValidationBiasMode];
  const backendName = stringOption(args, 'backend') ?? 'auto';
  // More threads than cores only adds contention; a cap keeps a typo from starting thousands.
  const jobs = Math.min(intOption(args, 'jobs', 1) ?? availableParallelism(), 64);
  if (backendName !== 'auto' && !(BACKEND_ORDER as readonly string[]).includes(backendName)) {
    throw new UsageError(`--backend must be auto or one of ${BACKEND_ORDER.join(', ')}, got '${backendName}'`);
  }
  const optional = <T>(value: T | undefined, key: string): Record<string, T> => (value === undefined ? {} : { [key]: value });
  const request = validationRequest({
    width,
    frozenDepth,
    targetDepth,
    ...optional(rawRanks === undefined ? undefined : parseRankList(rawRanks, width), 'ranks'),
    ...optional(intOption(args, 'seeds', 1), 'seeds'),
    ...optional(methods, 'methods'),
    ...optional(biasModes, 'biasModes'),
    ...optional(intOption(args, 'steps', 1), 'steps'),
    ...optional(intOption(args, 'batch-size', 1), 'batchSize'),
    ...optional(parseRates(stringOption(args, 'learning-rates')), 'learningRates'),
    ...optional(intOption(args, 'test-samples', 1), 'testSamples'),
    ...optional(intOption(args, 'seed', 0), 'baseSeed'),
  });
  if (request.methods.includes('final-layers') && frozenDepth < 2) throw new UsageError('--methods final-layers needs --frozen-depth of at least 2');

  let backend: TensorBackend | undefined;
  if (request.methods.some((m) => m !== 'construction')) {
    try {
      backend = await loadBackend(backendName as BackendPreference);
    } catch (error) {
      if (error instanceof BackendUnavailableError) throw new UsageError(error.message);
      throw error;
    }
  }
  let lastDraw = 0;
  const result = await runValidationOnThreads(request, {
    backend,
    jobs,
    onProgress: io.errIsTty
      ? (fraction, message) => {
          const now = Date.now();
          if (now - lastDraw < 200 && fraction < 1) return;
          lastDraw = now;
          io.err(`\r\x1b[K${(fraction * 100).toFixed(0).padStart(3)}% ${message}`);
        }
      : undefined,
  });
  if (io.errIsTty) io.err('\r\x1b[K');
  io.out(format === 'html' ? renderValidationHtml(result) : format === 'json' ? JSON.stringify(result, null, 2) + '\n' : renderValidationTable(result));
  return 0;
}
