/** `lora-lens threshold fnn|transformer …`: the paper's rank thresholds from numbers alone. */
import { computeThreshold, type ThresholdRequest } from '../../calculator/threshold';
import { renderThresholdTable } from '../../calculator/renderThreshold';
import { intListOption, parseArgs, requireInt, UsageError } from '../args';
import type { CliIO } from '../io';

export const thresholdUsage = `Usage:
  lora-lens threshold fnn --width D --depth L --target-depth L̄ [--ranks r1,r2,…] [--json]
  lora-lens threshold transformer --embedding D [--gaps g1,g2,…] [--json]

  fnn          frozen ReLU network of depth L and width D adapting to a target of depth L̄
               --ranks: discrepancy rank of each uniform-partition block (one per target layer);
               without it, the worst case (any target; exact for random weights)
  transformer  the paper's simplified Transformer with embedding size D
               --gaps: rank gaps G_i of the attention/FFN products; without them, the worst case ⌈D/2⌉
  --json       one JSON object (requiredRank, rule, guarantee, partition, depthRatio, …)
`;

export async function thresholdCommand(argv: string[], io: CliIO): Promise<number> {
  const [model, ...rest] = argv;
  let request: ThresholdRequest;
  let json: boolean;
  if (model === 'fnn') {
    const args = parseArgs(rest, {
      width: { value: true }, depth: { value: true }, 'target-depth': { value: true }, ranks: { value: true }, json: { value: false },
    });
    rejectPositionals(args.positionals);
    const ranks = intListOption(args, 'ranks', 0);
    request = {
      kind: 'fnn',
      width: requireInt(args, 'width', 1),
      depth: requireInt(args, 'depth', 1),
      targetDepth: requireInt(args, 'target-depth', 1),
      ...(ranks ? { ranks } : {}),
    };
    json = args.options.has('json');
  } else if (model === 'transformer') {
    const args = parseArgs(rest, { embedding: { value: true }, gaps: { value: true }, json: { value: false } });
    rejectPositionals(args.positionals);
    const gaps = intListOption(args, 'gaps', 0);
    request = { kind: 'transformer', embedding: requireInt(args, 'embedding', 1), ...(gaps ? { gaps } : {}) };
    json = args.options.has('json');
  } else if (model === undefined) {
    throw new UsageError("threshold needs a model kind: 'fnn' or 'transformer'");
  } else {
    throw new UsageError(`unknown model kind '${model}' (expected 'fnn' or 'transformer')`);
  }
  const answer = computeThreshold(request);
  io.out(json ? JSON.stringify(answer, null, 2) + '\n' : renderThresholdTable(answer));
  return 0;
}

function rejectPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
}
