/**
 * `lora-lens construct`: the paper's explicit construction (theory §2) on the user's own FNN pair,
 * written as a PEFT adapter folder and checked against the target on random inputs (issue 6).
 * The work is engine/training/constructFromFiles.ts, run in this process.
 */
import { AnalysisInputError } from '../../engine/analysis/context';
import { constructFromFiles } from '../../engine/training/constructFromFiles';
import type { ConstructionSummary } from '../../protocol';
import { renderConstruction } from '../../report/constructionText';
import type { Partition } from '../../theory';
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

export async function constructCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    rank: { value: true }, out: { value: true }, partition: { value: true }, samples: { value: true }, seed: { value: true }, dtype: { value: true },
    force: { value: false }, json: { value: false },
  });
  if (args.positionals.length !== 2) throw new UsageError('expected <frozen> and <target>');
  const [frozen, target] = args.positionals as [string, string];
  const outFolder = stringOption(args, 'out');
  if (!outFolder) throw new UsageError('--out <folder> is required (the PEFT adapter folder to write)');
  const dtype = stringOption(args, 'dtype') ?? 'F64';
  if (dtype !== 'F64' && dtype !== 'F32') throw new UsageError(`--dtype must be F64 or F32, got '${dtype}'`);
  const rawPartition = stringOption(args, 'partition');
  let summary: ConstructionSummary;
  try {
    summary = await constructFromFiles({
      frozen, target, outFolder, dtype,
      rank: requireInt(args, 'rank', 1),
      ...(rawPartition ? { partition: parsePartition(rawPartition) } : {}),
      samples: Math.min(intOption(args, 'samples', 1) ?? 5000, 1_000_000),
      seed: intOption(args, 'seed', 0) ?? 0,
      overwrite: args.options.has('force'),
    });
  } catch (error) {
    if (error instanceof AnalysisInputError) throw new UsageError(error.message);
    throw error;
  }
  io.out(args.options.has('json') ? `${JSON.stringify(summary, null, 2)}\n` : renderConstruction(summary));
  return 0;
}
