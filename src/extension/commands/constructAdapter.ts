/**
 * "LoRA Lens: Build Construction Adapter (FNN)…" (issue 6): the paper's explicit construction on the
 * user's own FNN pair, in the engine (`engine/construct`) with a cancellable progress notification,
 * written as a PEFT adapter folder and checked against the target; the summary goes to the output
 * channel. Returns the ConstructionSummary.
 *
 * Argument forms: a `.safetensors` Uri from the Explorer (the frozen model), or, for tests and other
 * extensions, `{ frozen, target, rank, partition?, outFolder?, dtype?, overwrite?, cancellation? }`
 * (no dialogs when `frozen`, `target`, `rank` and `outFolder` are given).
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConstructionRequest, ConstructionSummary } from '../../protocol';
import { renderConstruction } from '../../report/constructionText';
import type { EngineService } from '../engine/engineService';
import { outputChannel } from '../ui/output';
import { isOptions, toUri } from './shared/args';
import { reportRunFailure, requestWithProgress } from './shared/runAnalysis';
import { exists } from './shared/writeExport';

export const CONSTRUCT_ADAPTER_COMMAND = 'loraLens.constructAdapter';
const TITLE = 'LoRA Lens: Build Construction Adapter (FNN)';

export type ConstructAdapterOptions = Partial<ConstructionRequest> & { cancellation?: vscode.CancellationToken };

export function registerConstructAdapter(context: vscode.ExtensionContext, engine: EngineService): void {
  context.subscriptions.push(vscode.commands.registerCommand(CONSTRUCT_ADAPTER_COMMAND, (arg?: unknown) => constructAdapter(engine, arg)));
}

async function constructAdapter(engine: EngineService, arg: unknown): Promise<ConstructionSummary | undefined> {
  const given: ConstructAdapterOptions = isOptions<ConstructAdapterOptions>(arg, 'frozen') ? arg : { frozen: toUri(arg)?.fsPath };
  const request = await completeRequest(given);
  if (!request) return undefined;
  const { cancellation } = given;
  const what = `construction at rank ${request.rank} for ${path.basename(request.frozen)}`;
  let summary: ConstructionSummary;
  try {
    summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `LoRA Lens: Building the ${what}`, cancellable: true },
      (progress, uiToken) => requestWithProgress(engine, 'engine/construct', { ...request, token: randomUUID() }, progress, [uiToken, cancellation]),
    );
  } catch (error) {
    reportRunFailure(error, `the ${what}`);
    return undefined;
  }
  const channel = outputChannel();
  channel.appendLine(`[${new Date().toISOString()}] ${what}: ${request.frozen} → ${request.target}`);
  channel.append(renderConstruction(summary));
  const verdict = summary.exactClaimed ? 'exact' : 'not exact (below the threshold in some block)';
  void vscode.window
    .showInformationMessage(
      `LoRA Lens: ${verdict}; test MSE ${summary.check.storedMseOnFreshInputs.toExponential(2)} as written (frozen ${summary.check.frozenMse.toExponential(2)}). Wrote ${vscode.workspace.asRelativePath(summary.files.configFile, false)}.`,
      'Open adapter_config.json',
      'Show Details',
    )
    .then((choice) => {
      if (choice === 'Open adapter_config.json') void vscode.window.showTextDocument(vscode.Uri.file(summary.files.configFile));
      if (choice === 'Show Details') channel.show(true);
    });
  return summary;
}

/** Asks for what the arguments leave out; undefined when the user backs out. */
async function completeRequest(given: ConstructAdapterOptions): Promise<ConstructionRequest | undefined> {
  const frozen = given.frozen ?? (await pickCheckpoint('the frozen model (step 1/4)'));
  if (!frozen) return undefined;
  const target = given.target ?? (await pickCheckpoint('the target model (step 2/4)'));
  if (!target) return undefined;
  const rank = given.rank ?? (await askRank());
  if (rank === undefined) return undefined;
  let outFolder = given.outFolder;
  let overwrite = given.overwrite;
  if (!outFolder) {
    const picked = await vscode.window.showOpenDialog({
      title: `${TITLE}: folder for the PEFT adapter (step 4/4)`,
      canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Write the adapter here',
      defaultUri: vscode.Uri.file(path.dirname(frozen)),
    });
    if (!picked?.[0]) return undefined;
    outFolder = picked[0].fsPath;
  }
  if (overwrite === undefined && (await exists(vscode.Uri.file(path.join(outFolder, 'adapter_config.json'))) || await exists(vscode.Uri.file(path.join(outFolder, 'adapter_model.safetensors'))))) {
    const choice = await vscode.window.showWarningMessage(`${outFolder} already holds a PEFT adapter. Replace it?`, { modal: true }, 'Replace');
    if (choice !== 'Replace') return undefined;
    overwrite = true;
  }
  return {
    frozen, target, rank, outFolder,
    ...(given.partition ? { partition: given.partition } : {}),
    ...(given.dtype ? { dtype: given.dtype } : {}),
    ...(given.samples ? { samples: given.samples } : {}),
    ...(overwrite ? { overwrite } : {}),
  };
}

async function pickCheckpoint(which: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: `${TITLE}: ${which}`,
    canSelectFiles: true, canSelectFolders: false, canSelectMany: false,
    filters: { 'safetensors checkpoints': ['safetensors'] },
  });
  return picked?.[0]?.fsPath;
}

async function askRank(): Promise<number | undefined> {
  const raw = await vscode.window.showInputBox({
    title: `${TITLE} (step 3/4)`,
    prompt: 'LoRA rank R on every frozen layer (the construction is exact once R·|P_i| ≥ rank(E_i) in every block)',
    placeHolder: 'e.g. 4',
    ignoreFocusOut: true,
    validateInput: (text) => (/^\d+$/.test(text.trim()) && Number(text) >= 1 && Number(text) <= 512 ? undefined : 'A whole number in 1…512.'),
  });
  return raw === undefined ? undefined : Number(raw.trim());
}
