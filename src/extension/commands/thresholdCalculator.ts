/**
 * "LoRA Lens: Rank Threshold Calculator…": asks for the numbers with input boxes and shows the
 * required rank with its rule. Also callable with a ThresholdRequest argument (keybindings, tests,
 * other extensions); it returns the ThresholdAnswer either way.
 */
import * as vscode from 'vscode';
import { computeThreshold, type ThresholdAnswer, type ThresholdRequest } from '../../calculator/threshold';
import { renderThresholdTable, summarizeThreshold } from '../../calculator/renderThreshold';
import { TheoryInputError } from '../../theory';
import { askIntList, askWholeNumber } from '../ui/inputs';
import { outputChannel } from '../ui/output';

export const THRESHOLD_CALCULATOR_COMMAND = 'loraLens.thresholdCalculator';

export function registerThresholdCalculator(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(THRESHOLD_CALCULATOR_COMMAND, (request?: ThresholdRequest) => runCalculator(request)),
  );
}

async function runCalculator(given?: ThresholdRequest): Promise<ThresholdAnswer | undefined> {
  const request = given ?? (await askRequest());
  if (!request) return undefined;
  let answer: ThresholdAnswer;
  try {
    answer = computeThreshold(request);
  } catch (error) {
    if (error instanceof TheoryInputError) {
      void vscode.window.showErrorMessage(`LoRA Lens: ${error.message}`);
      return undefined;
    }
    throw error;
  }
  const channel = outputChannel();
  channel.appendLine(renderThresholdTable(answer));
  void vscode.window.showInformationMessage(summarizeThreshold(answer), 'Show Details').then((choice) => {
    if (choice === 'Show Details') channel.show(true);
  });
  return answer;
}

async function askRequest(): Promise<ThresholdRequest | undefined> {
  const kind = await vscode.window.showQuickPick(
    [
      { label: 'Fully connected ReLU network (FNN)', description: 'frozen depth L, target depth L̄, width D', model: 'fnn' as const },
      { label: 'Transformer', description: "embedding size D (the paper's simplified model)", model: 'transformer' as const },
    ],
    { title: 'LoRA Lens: Rank Threshold Calculator', placeHolder: 'Which model?', ignoreFocusOut: true },
  );
  if (!kind) return undefined;
  const title = 'LoRA Lens: Rank Threshold Calculator';
  if (kind.model === 'transformer') {
    const embedding = await askWholeNumber({ title, prompt: 'Embedding size D', min: 1, placeHolder: 'e.g. 768' });
    if (embedding === undefined) return undefined;
    const gaps = await askIntList({
      title, prompt: 'Rank gaps G_i of the attention/FFN products (optional; leave empty for the worst case)', min: 0, max: embedding,
    });
    if (gaps === undefined) return undefined;
    return { kind: 'transformer', embedding, ...(gaps.length ? { gaps } : {}) };
  }
  const width = await askWholeNumber({ title, prompt: 'Width D of every layer', min: 1, placeHolder: 'e.g. 16' });
  if (width === undefined) return undefined;
  const depth = await askWholeNumber({ title, prompt: 'Frozen depth L (layers of the frozen model)', min: 1 });
  if (depth === undefined) return undefined;
  const targetDepth = await askWholeNumber({ title, prompt: `Target depth L̄ (1 to ${depth})`, min: 1, max: depth });
  if (targetDepth === undefined) return undefined;
  const ranks = await askIntList({
    title,
    prompt: `Discrepancy ranks of the ${targetDepth} uniform blocks (optional; leave empty for the worst case)`,
    min: 0,
    max: width,
    count: targetDepth,
  });
  if (ranks === undefined) return undefined;
  return { kind: 'fnn', width, depth, targetDepth, ...(ranks.length ? { ranks } : {}) };
}
