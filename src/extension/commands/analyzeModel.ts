/**
 * "LoRA Lens: Analyze Model…": the architecture-only analysis of one model (a folder, config.json or
 * .safetensors; an adapter folder is audited). From the Explorer the clicked resource is the model;
 * from the palette a QuickPick of the workspace's models (or the file dialog). Returns the Report.
 *
 * Argument forms: a Uri or path, or `{ model, showPanel?, cancellation? }` (tests, other extensions).
 */
import * as vscode from 'vscode';
import type { Report } from '../../protocol';
import type { EngineService } from '../engine/engineService';
import { displayName, explorerSelection, isOptions, toUri } from './shared/args';
import { pickModelUri } from './shared/pickModel';
import { runAnalysis, type AnalysisCommandOptions } from './shared/runAnalysis';

export const ANALYZE_MODEL_COMMAND = 'loraLens.analyzeModel';

export interface AnalyzeModelOptions extends AnalysisCommandOptions {
  model: vscode.Uri | string;
}

export function registerAnalyzeModel(context: vscode.ExtensionContext, engine: EngineService): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(ANALYZE_MODEL_COMMAND, (arg?: unknown, selected?: unknown) => analyzeModel(engine, arg, selected)),
  );
}

async function analyzeModel(engine: EngineService, arg: unknown, selected: unknown): Promise<Report | undefined> {
  const options: AnalysisCommandOptions = isOptions<AnalyzeModelOptions>(arg, 'model') ? arg : {};
  const given = isOptions<AnalyzeModelOptions>(arg, 'model') ? toUri(arg.model) : explorerSelection(arg, selected)[0];
  const model = given ?? (await pickModelUri({
    title: 'LoRA Lens: Analyze Model',
    placeHolder: 'Model folder, config.json or .safetensors checkpoint to analyze',
    kinds: ['model', 'weights', 'adapter'],
  }));
  if (!model) return undefined;
  return runAnalysis(engine, { ...options, title: `Analyzing ${displayName(model)}`, inputs: { base: model.fsPath } });
}
