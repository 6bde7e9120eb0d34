/**
 * "LoRA Lens: Audit PEFT Adapter…": each LoRA pair's effective rank (rank of B·A) against its
 * configured rank, and the base model's thresholds when `base_model_name_or_path` is a local folder
 * (or a base is given). From the Explorer: the adapter folder, its adapter_config.json or its
 * adapter_model.safetensors. Returns the Report.
 *
 * Argument form: `{ adapter, base?, showPanel?, cancellation? }` (Uris or paths).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Report } from '../../protocol';
import type { EngineService } from '../engine/engineService';
import { displayName, explorerSelection, isOptions, toUri } from './shared/args';
import { pickModelUri } from './shared/pickModel';
import { runAnalysis, type AnalysisCommandOptions } from './shared/runAnalysis';

export const AUDIT_ADAPTER_COMMAND = 'loraLens.auditAdapter';

export interface AuditAdapterOptions extends AnalysisCommandOptions {
  adapter: vscode.Uri | string;
  /** The base model, when base_model_name_or_path is not a local folder. */
  base?: vscode.Uri | string;
}

export function registerAuditAdapter(context: vscode.ExtensionContext, engine: EngineService): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(AUDIT_ADAPTER_COMMAND, (arg?: unknown, selected?: unknown) => auditAdapter(engine, arg, selected)),
  );
}

async function auditAdapter(engine: EngineService, arg: unknown, selected: unknown): Promise<Report | undefined> {
  const options = isOptions<AuditAdapterOptions>(arg, 'adapter') ? arg : undefined;
  const given = options ? toUri(options.adapter) : explorerSelection(arg, selected)[0];
  const chosen = given ?? (await pickModelUri({ title: 'LoRA Lens: Audit PEFT Adapter', placeHolder: 'PEFT adapter folder (adapter_config.json)', kinds: ['adapter'] }));
  if (!chosen) return undefined;
  const adapter = adapterFolder(chosen);
  const base = options?.base !== undefined ? toUri(options.base) : undefined;
  return runAnalysis(engine, {
    ...(options ?? {}),
    title: `Auditing the adapter ${displayName(adapter)}`,
    inputs: { base: adapter.fsPath, target: base?.fsPath },
  });
}

/** The adapter's folder: adapter_model.safetensors alone is not enough to read an adapter. */
function adapterFolder(uri: vscode.Uri): vscode.Uri {
  return path.posix.basename(uri.path) === 'adapter_model.safetensors' ? vscode.Uri.joinPath(uri, '..') : uri;
}
