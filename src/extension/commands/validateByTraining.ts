/**
 * "LoRA Lens: Validate by Training…" (issue 6): random frozen and target ReLU networks, the paper's
 * explicit construction and LoRA fitted by Adam at every rank, median test MSE against rank with the
 * theory's threshold marked. Runs in the engine (`engine/validate`) with a cancellable progress
 * notification, shows the result in a webview and returns the ValidationResult.
 *
 * Argument form (tests, no dialogs): `{ width, frozenDepth, targetDepth, ranks?, seeds?, steps?,
 * methods?, biasModes?, learningRates?, batchSize?, testSamples?, showPanel?, cancellation? }`.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { ValidationMethod, ValidationRequest, ValidationResult } from '../../protocol';
import { VALIDATION_LIMITS, validationRequest } from '../../engine/training/validation';
import type { EngineService } from '../engine/engineService';
import { readSettings } from '../settings';
import { showValidationPanel } from '../validation/validationPanel';
import { isOptions } from './shared/args';
import { reportRunFailure, requestWithProgress, type AnalysisCommandOptions } from './shared/runAnalysis';

export const VALIDATE_BY_TRAINING_COMMAND = 'loraLens.validateByTraining';

/** Seeds and Adam steps when the user keeps the defaults: small enough for a minute or two on wasm. */
export const DEFAULT_SEEDS = 2;
export const DEFAULT_STEPS = 300;

export type ValidateByTrainingOptions = AnalysisCommandOptions &
  Pick<ValidationRequest, 'width' | 'frozenDepth' | 'targetDepth'> &
  Partial<Pick<ValidationRequest, 'ranks' | 'seeds' | 'steps' | 'methods' | 'biasModes' | 'learningRates' | 'batchSize' | 'testSamples' | 'baseSeed'>>;

const TITLE = 'LoRA Lens: Validate by Training';

export function registerValidateByTraining(context: vscode.ExtensionContext, engine: EngineService): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(VALIDATE_BY_TRAINING_COMMAND, (arg?: unknown) => validateByTraining(engine, arg)),
  );
}

async function validateByTraining(engine: EngineService, arg: unknown): Promise<ValidationResult | undefined> {
  const options = isOptions<ValidateByTrainingOptions>(arg, 'width') ? arg : await askOptions();
  if (!options) return undefined;
  const { showPanel, cancellation, ...fields } = options;
  const request = validationRequest({ seeds: DEFAULT_SEEDS, steps: DEFAULT_STEPS, ...fields });
  const params = { ...request, token: randomUUID(), backend: readSettings().backend };
  const what = `validation D=${request.width}, L=${request.frozenDepth}, L̄=${request.targetDepth}`;
  let result: ValidationResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `LoRA Lens: Validating by training (D=${request.width}, L=${request.frozenDepth}, L̄=${request.targetDepth})`, cancellable: true },
      (progress, uiToken) => requestWithProgress(engine, 'engine/validate', params, progress, [uiToken, cancellation]),
    );
  } catch (error) {
    reportRunFailure(error, `the ${what}`);
    return undefined;
  }
  if (showPanel !== false) showValidationPanel(result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Dialogs
// ---------------------------------------------------------------------------------------------

async function askInt(prompt: string, value: number, min: number, max: number, step: string): Promise<number | undefined> {
  const raw = await vscode.window.showInputBox({
    title: `${TITLE} (${step})`,
    prompt,
    value: String(value),
    ignoreFocusOut: true,
    validateInput: (text) => {
      const v = Number(text.trim());
      return Number.isInteger(v) && v >= min && v <= max ? undefined : `A whole number in ${min}…${max}.`;
    },
  });
  return raw === undefined ? undefined : Number(raw.trim());
}

/** "1-4,8" → [1, 2, 3, 4, 8] (sorted, unique); undefined when malformed or outside 1…max. */
export function parseRanks(text: string, max: number): number[] | undefined {
  const out = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:\s*[-…]\s*(\d+))?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to < from || to > max) return undefined;
    for (let r = from; r <= to; r++) out.add(r);
  }
  return out.size > 0 ? [...out].sort((a, b) => a - b) : undefined;
}

async function askOptions(): Promise<ValidateByTrainingOptions | undefined> {
  const L = VALIDATION_LIMITS;
  const width = await askInt('Width D of the random ReLU networks (the paper: 16)', 16, 1, L.width, '1/7');
  if (width === undefined) return undefined;
  const frozenDepth = await askInt('Frozen depth L: layers of the frozen model (the paper: 2 or 4)', 2, 1, L.depth, '2/7');
  if (frozenDepth === undefined) return undefined;
  const targetDepth = await askInt(`Target depth L̄: layers of the target model (1…${frozenDepth}; the paper: 1 or 2)`, 1, 1, frozenDepth, '3/7');
  if (targetDepth === undefined) return undefined;
  const ranksText = await vscode.window.showInputBox({
    title: `${TITLE} (4/7)`,
    prompt: `LoRA ranks to try: a list and ranges within 1…${width}, e.g. 1-${width} or 1,2,4-8`,
    value: `1-${width}`,
    ignoreFocusOut: true,
    validateInput: (text) => (parseRanks(text, width) ? undefined : `Ranks within 1…${width}, e.g. 1-${width} or 1,2,4-8.`),
  });
  if (ranksText === undefined) return undefined;
  const seeds = await askInt('Random seeds (pairs of frozen and target models); the paper uses 5', DEFAULT_SEEDS, 1, 100, '5/7');
  if (seeds === undefined) return undefined;
  const steps = await askInt('Adam steps per training run (per rank and learning rate); the paper uses 5000', DEFAULT_STEPS, 1, L.steps, '6/7');
  if (steps === undefined) return undefined;
  const items: (vscode.QuickPickItem & { method: ValidationMethod })[] = [
    { label: 'construction', description: 'the paper\'s explicit adapters (theory §2), float64, no training', picked: true, method: 'construction' },
    { label: 'gradient', description: 'LoRA fitted by Adam (tfjs autodiff)', picked: true, method: 'gradient' },
    ...(frozenDepth >= 2
      ? [{ label: 'final-layers', description: 'tune the last k layers instead, at equal parameter counts', picked: false, method: 'final-layers' as const }]
      : []),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `${TITLE} (7/7)`, placeHolder: 'Methods to compare', canPickMany: true, ignoreFocusOut: true });
  if (!picked || picked.length === 0) return undefined;
  return { width, frozenDepth, targetDepth, ranks: parseRanks(ranksText, width), seeds, steps, methods: picked.map((p) => p.method) };
}
