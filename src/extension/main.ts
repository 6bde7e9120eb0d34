/**
 * Extension entry: wires commands and providers. Thin by design: computation lives in src/theory
 * (synchronous arithmetic) and src/engine (background process).
 */
import * as vscode from 'vscode';
import { registerAnalyzeModel } from './commands/analyzeModel';
import { registerAuditAdapter } from './commands/auditAdapter';
import { registerCompareModels } from './commands/compareModels';
import { registerConstructAdapter } from './commands/constructAdapter';
import { registerExportDesignReview } from './commands/exportDesignReview';
import { registerExportRankPattern } from './commands/exportRankPattern';
import { registerPlanPartition } from './commands/planPartition';
import { registerShowEngineStatus } from './commands/showEngineStatus';
import { registerThresholdCalculator } from './commands/thresholdCalculator';
import { registerValidateByTraining } from './commands/validateByTraining';
import { registerSafetensorsViewer } from './safetensorsViewer';
import { EngineService } from './engine/engineService';
import { registerHints } from './hints/registerHints';
import { registerAnalysisPanel } from './panel';
import { disposeOutputChannel } from './ui/output';

export interface LoraLensApi {
  /** For tests: the engine the commands use. */
  engine: EngineService;
}

export function activate(context: vscode.ExtensionContext): LoraLensApi {
  const engine = new EngineService(context.extensionPath);
  context.subscriptions.push(engine, { dispose: disposeOutputChannel });
  registerThresholdCalculator(context);
  registerSafetensorsViewer(context);
  registerShowEngineStatus(context, engine);
  registerAnalyzeModel(context, engine);
  registerCompareModels(context, engine);
  registerPlanPartition(context, engine);
  registerAuditAdapter(context, engine);
  registerValidateByTraining(context, engine);
  registerConstructAdapter(context, engine);
  registerExportDesignReview(context);
  registerExportRankPattern(context);
  registerHints(context);
  registerAnalysisPanel(context);
  return { engine };
}

export function deactivate(): void {
  // Every disposable is in context.subscriptions; VS Code disposes them.
}
