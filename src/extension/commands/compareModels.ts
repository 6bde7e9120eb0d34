/**
 * "LoRA Lens: Compare Base and Fine-tuned…": per-module ΔW ranks, spectra and the recommended
 * rank_pattern of a fine-tune. From the Explorer: two selected models (asked which is the base), or
 * the clicked one plus a pick of the other; from the palette two picks. Returns the Report.
 *
 * Argument form: `{ base, target, showPanel?, cancellation? }` (Uris or paths).
 */
import * as vscode from 'vscode';
import type { Report } from '../../protocol';
import type { EngineService } from '../engine/engineService';
import { displayName, explorerSelection, isOptions, toUri } from './shared/args';
import { pickModel, pickModelUri } from './shared/pickModel';
import { runAnalysis, type AnalysisCommandOptions } from './shared/runAnalysis';

export const COMPARE_MODELS_COMMAND = 'loraLens.compareModels';

export interface CompareModelsOptions extends AnalysisCommandOptions {
  base: vscode.Uri | string;
  target: vscode.Uri | string;
}

const TITLE = 'LoRA Lens: Compare Base and Fine-tuned';
const KINDS = ['model' as const, 'weights' as const];
const SWAP = 'swap';

export function registerCompareModels(context: vscode.ExtensionContext, engine: EngineService): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMPARE_MODELS_COMMAND, (arg?: unknown, selected?: unknown) => compareModels(engine, arg, selected)),
  );
}

async function compareModels(engine: EngineService, arg: unknown, selected: unknown): Promise<Report | undefined> {
  let pair: { base: vscode.Uri; target: vscode.Uri } | undefined;
  let options: AnalysisCommandOptions = {};
  if (isOptions<CompareModelsOptions>(arg, 'base')) {
    options = arg;
    const base = toUri(arg.base);
    const target = toUri(arg.target);
    if (!base || !target) {
      void vscode.window.showErrorMessage('LoRA Lens: Compare needs both a base and a fine-tuned model.');
      return undefined;
    }
    pair = { base, target };
  } else {
    pair = await choosePair(explorerSelection(arg, selected));
  }
  if (!pair) return undefined;
  return runAnalysis(engine, {
    ...options,
    title: `Comparing ${displayName(pair.base)} with ${displayName(pair.target)}`,
    inputs: { base: pair.base.fsPath, target: pair.target.fsPath },
  });
}

async function choosePair(selection: vscode.Uri[]): Promise<{ base: vscode.Uri; target: vscode.Uri } | undefined> {
  if (selection.length >= 2) {
    const [a, b] = selection;
    const choice = await vscode.window.showQuickPick(
      [
        { label: displayName(a), description: `base; fine-tuned: ${displayName(b)}`, pair: { base: a, target: b } },
        { label: displayName(b), description: `base; fine-tuned: ${displayName(a)}`, pair: { base: b, target: a } },
      ],
      { title: TITLE, placeHolder: 'Which one is the base model?', ignoreFocusOut: true },
    );
    return choice?.pair;
  }
  if (selection.length === 1) {
    const clicked = selection[0];
    const other = await pickModel({
      title: TITLE,
      placeHolder: `Fine-tuned model to compare with the base ${displayName(clicked)}`,
      kinds: KINDS,
      exclude: [clicked],
      extra: [{ label: `$(arrow-swap) ${displayName(clicked)} is the fine-tuned one: pick its base instead`, value: SWAP }],
    });
    if (other === SWAP) {
      const base = await pickModelUri({ title: TITLE, placeHolder: `Base model of ${displayName(clicked)}`, kinds: KINDS, exclude: [clicked] });
      return base ? { base, target: clicked } : undefined;
    }
    return other instanceof vscode.Uri ? { base: clicked, target: other } : undefined;
  }
  const base = await pickModelUri({ title: TITLE, placeHolder: 'Base (pre-trained) model', kinds: KINDS });
  if (!base) return undefined;
  const target = await pickModelUri({ title: TITLE, placeHolder: `Fine-tuned model to compare with ${displayName(base)}`, kinds: KINDS, exclude: [base] });
  return target ? { base, target } : undefined;
}
