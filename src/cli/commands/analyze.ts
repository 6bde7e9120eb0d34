/**
 * `lora-lens analyze <base> [--target <path>] …`: the full analysis, in-process (no engine fork),
 * rendered as text, JSON (the Report) or Markdown.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadBackend } from '../../engine/backend';
import { BackendUnavailableError } from '../../engine/backend/types';
import { analyze, AnalysisInputError, type AnalyzeOptions } from '../../engine/analysis';
import { printable } from '../../formats/config';
import { FormatError } from '../../formats/types';
import type { BackendPreference, RankTarget, Report, ToleranceInfo } from '../../protocol';
import { renderHtmlReport } from '../../report/html';
import { renderJson } from '../../report/json';
import { renderMarkdown } from '../../report/markdown';
import { renderText } from '../../report/text';
import { intOption, parseArgs, stringOption, UsageError } from '../args';
import type { CliIO } from '../io';

export const analyzeUsage = `Usage:
  lora-lens analyze <base> [--target <path>] [--target-depth N] [--rank R] [--energy E | --error E]
                    [--backend NAME] [--tolerance X] [--memory-cap-mb N] [--format text|json|md] [--out FILE]

  <base>, <target>  a .safetensors file, a sharded index, a config.json, or a folder holding them;
                    a PEFT adapter folder (adapter_config.json) as either one
  no --target       architecture only: thresholds and LoRA costs from shapes (no tensor read)
  --target          FNN pair (sequential MLPs), Transformer pair (same architecture) or adapter + base
  --target-depth    target depth L̄ for an architecture-only FNN analysis
  --rank            summary rank for the error tables
  --energy, --error recommended rank_pattern keeps this fraction of each delta's energy (default 0.99),
                    or allows this relative spectral error σ_{r+1}/σ₁
  --backend         auto (default), tensorflow-gpu, tensorflow, wasm or cpu
  --tolerance       'dtype' (default: max(m,n)·ε_dtype·scale), 'dtype:K' (K times that), or a number
                    X for the relative tolerance X·σ₁
  --format          text (default), json (the Report, see docs/report-json.md), md or html (self-contained, plots inlined)
  --out             write the report to FILE instead of stdout (never one of the inputs)
`;

const BACKENDS: readonly BackendPreference[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export async function analyzeCommand(argv: string[], io: CliIO): Promise<number> {
  try {
    const args = parseArgs(argv, {
      target: { value: true }, 'target-depth': { value: true }, rank: { value: true }, energy: { value: true }, error: { value: true },
      backend: { value: true }, tolerance: { value: true }, format: { value: true }, out: { value: true }, 'memory-cap-mb': { value: true },
    });
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? 'analyze needs <base>' : `unexpected argument '${args.positionals[1]}'`);
    const format = stringOption(args, 'format') ?? 'text';
    if (!['text', 'json', 'md', 'html'].includes(format)) throw new UsageError(`--format must be text, json, md or html, got '${format}'`);
    const backend = (stringOption(args, 'backend') ?? 'auto') as BackendPreference;
    if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${backend}'`);
    const options: AnalyzeOptions = { base: args.positionals[0]!, backend };
    const target = stringOption(args, 'target');
    if (target !== undefined) options.target = target;
    const targetDepth = intOption(args, 'target-depth', 1);
    if (targetDepth !== undefined) options.targetDepth = targetDepth;
    const rank = intOption(args, 'rank', 0);
    if (rank !== undefined) options.rank = rank;
    const rankTarget = parseRankTarget(stringOption(args, 'energy'), stringOption(args, 'error'));
    if (rankTarget) options.rankTarget = rankTarget;
    const tolerance = parseTolerance(stringOption(args, 'tolerance'));
    if (tolerance) options.tolerance = tolerance;
    const capMb = intOption(args, 'memory-cap-mb', 1);
    if (capMb !== undefined) options.memoryCapBytes = capMb * 1024 * 1024;
    const out = stringOption(args, 'out');
    if (out !== undefined) await refuseInputAsOutput(out, [options.base, ...(target !== undefined ? [target] : [])]);

    const progress = io.errIsTty ? tty(io) : undefined;
    let report: Report;
    try {
      report = await analyze(options, {
        backend: () => loadBackend(backend),
        onProgress: progress?.update,
      });
    } finally {
      progress?.clear();
    }
    const text = format === 'html' ? renderHtmlReport(report, rank !== undefined ? { budget: rank } : {}) : format === 'json' ? renderJson(report) : format === 'md' ? renderMarkdown(report, { rank }) : renderText(report, { rank });
    if (out !== undefined) {
      await fs.writeFile(out, text);
      io.err(`lora-lens: wrote ${printable(out)}\n`);
    } else io.out(text);
    return 0;
  } catch (e) {
    if (e instanceof FormatError || e instanceof AnalysisInputError || e instanceof BackendUnavailableError) {
      io.err(`lora-lens: ${oneLine(e.message)}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`lora-lens analyze: ${oneLine(e.message)}\n`);
      return 2;
    }
    throw e;
  }
}

function oneLine(s: string): string {
  return printable(s.replace(/[\r\n]+/g, ' '));
}

function parseRankTarget(energy: string | undefined, error: string | undefined): RankTarget | undefined {
  if (energy !== undefined && error !== undefined) throw new UsageError('give --energy or --error, not both');
  if (energy !== undefined) {
    const v = Number(energy);
    if (!(v > 0 && v <= 1)) throw new UsageError(`--energy must be a fraction in (0, 1], got '${energy}'`);
    return { kind: 'energy', value: v };
  }
  if (error !== undefined) {
    const v = Number(error);
    if (!(v >= 0 && v < 1)) throw new UsageError(`--error must be a relative error in [0, 1), got '${error}'`);
    return { kind: 'error', value: v };
  }
  return undefined;
}

function parseTolerance(raw: string | undefined): ToleranceInfo | undefined {
  if (raw === undefined) return undefined;
  const m = /^dtype(?::(.+))?$/.exec(raw);
  const value = Number(m ? m[1] ?? '1' : raw);
  if (!(value >= 0) || !Number.isFinite(value)) throw new UsageError(`--tolerance must be 'dtype', 'dtype:K' or a number ≥ 0, got '${raw}'`);
  return { mode: m ? 'dtype' : 'relative', value, description: '' };
}

/**
 * Refuses an --out that is one of the inputs, or a model file inside an input folder
 * (symlinks resolved for paths that exist).
 */
async function refuseInputAsOutput(out: string, inputs: string[]): Promise<void> {
  const real = async (p: string): Promise<string> => fs.realpath(p).catch(async () => path.join(await fs.realpath(path.dirname(p)).catch(() => path.resolve(path.dirname(p))), path.basename(p)));
  const target = await real(out);
  for (const input of inputs) {
    const r = await real(input);
    const isDir = await fs.stat(r).then((s) => s.isDirectory(), () => false);
    const modelFile = /(^config\.json|^adapter_config\.json|\.safetensors|\.safetensors\.index\.json)$/i.test(path.basename(target));
    if (target === r || (isDir && path.dirname(target) === r && modelFile)) {
      throw new UsageError(`--out ${out} would overwrite the input ${input}`);
    }
  }
}

function tty(io: CliIO): { update: (fraction: number, message: string) => void; clear: () => void } {
  let last = 0;
  let drawn = false;
  return {
    update: (fraction, message) => {
      const now = Date.now();
      if (now - last < 100 && fraction < 1) return;
      last = now;
      drawn = true;
      io.err(`\r\x1b[2K[${String(Math.round(fraction * 100)).padStart(3)}%] ${printable(message).slice(0, 70)}`);
    },
    clear: () => {
      if (drawn) io.err('\r\x1b[2K');
    },
  };
}
