/**
 * "LoRA Lens: Plan Partition (FNN)…": for a frozen sequential ReLU MLP and a target one, the uniform
 * and the optimal partition of frozen layers under target layers with their required LoRA ranks
 * (Zeng & Lee, FNN theorems). Without a target checkpoint, the architecture-only worst case for a
 * target depth (asked, default from `loraLens.targetDepth`). Returns the Report.
 *
 * Argument form: `{ frozen, target?, targetDepth?, showPanel?, cancellation? }` (Uris or paths).
 */
import * as vscode from 'vscode';
import type { Report } from '../../protocol';
import type { EngineService } from '../engine/engineService';
import { readSettings } from '../settings';
import { askWholeNumber } from '../ui/inputs';
import { displayName, explorerSelection, isOptions, toUri } from './shared/args';
import { pickModel, pickModelUri } from './shared/pickModel';
import { runAnalysis, type AnalysisCommandOptions } from './shared/runAnalysis';

export const PLAN_PARTITION_COMMAND = 'loraLens.planPartition';

export interface PlanPartitionOptions extends AnalysisCommandOptions {
  frozen: vscode.Uri | string;
  target?: vscode.Uri | string;
  targetDepth?: number;
}

const TITLE = 'LoRA Lens: Plan Partition (FNN)';
const DEPTH_ONLY = 'depth';

export function registerPlanPartition(context: vscode.ExtensionContext, engine: EngineService): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(PLAN_PARTITION_COMMAND, (arg?: unknown, selected?: unknown) => planPartition(engine, arg, selected)),
  );
}

async function planPartition(engine: EngineService, arg: unknown, selected: unknown): Promise<Report | undefined> {
  if (isOptions<PlanPartitionOptions>(arg, 'frozen')) {
    const frozen = toUri(arg.frozen);
    if (!frozen) return undefined;
    const target = toUri(arg.target);
    return run(engine, arg, frozen, target, arg.targetDepth);
  }
  const selection = explorerSelection(arg, selected);
  const frozen = selection[0] ?? (await pickModelUri({ title: TITLE, placeHolder: 'Frozen (pre-trained) MLP checkpoint', kinds: ['weights', 'model'] }));
  if (!frozen) return undefined;
  let target = selection[1];
  if (!target) {
    const picked = await pickModel({
      title: TITLE,
      placeHolder: `Target MLP checkpoint for ${displayName(frozen)}`,
      kinds: ['weights', 'model'],
      exclude: [frozen],
      extra: [{ label: '$(symbol-numeric) No target checkpoint: enter a target depth', description: 'architecture-only worst case', value: DEPTH_ONLY }],
    });
    if (picked === undefined) return undefined;
    if (picked instanceof vscode.Uri) target = picked;
  }
  let targetDepth: number | undefined;
  if (!target) {
    const fallback = readSettings().targetDepth;
    targetDepth = await askWholeNumber({
      title: TITLE,
      prompt: `Target depth L̄ (number of layers of the target network)${fallback !== null ? `; setting: ${fallback}` : ''}`,
      min: 1,
      placeHolder: fallback !== null ? String(fallback) : 'e.g. 2',
    });
    if (targetDepth === undefined) return undefined;
  }
  return run(engine, {}, frozen, target, targetDepth);
}

function run(engine: EngineService, options: AnalysisCommandOptions, frozen: vscode.Uri, target: vscode.Uri | undefined, targetDepth: number | undefined): Promise<Report | undefined> {
  return runAnalysis(engine, {
    ...options,
    title: target ? `Planning the partition of ${displayName(frozen)} for ${displayName(target)}` : `Planning the partition of ${displayName(frozen)} for depth ${targetDepth}`,
    inputs: { base: frozen.fsPath, target: target?.fsPath, targetDepth },
  });
}
