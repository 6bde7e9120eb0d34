import type { Page } from 'playwright-core';
import { calculatorUiTest } from './calculator.ui';
import { hintsUiTest } from './hints.ui';
import { commandsUiTest } from './commands.ui';
import { safetensorsViewerUiTest } from './safetensorsViewer.ui';
import { panelUiTest } from './panel.ui';
import { panelRestoreExportUiTest } from './panelRestoreExport.ui';
import { validateByTrainingUiTest } from './validateByTraining.ui';
import { constructAdapterUiTest } from './constructAdapter.ui';
import { restrictedModeUiTest } from './restrictedMode.ui';

export interface UiTestContext {
  page: Page;
  workspace: string;
  screenshot(name: string): Promise<void>;
  /** Process id of the code-server serving this workbench (its extension host is a descendant). */
  codeServerPid: number;
}

export interface UiTest {
  name: string;
  run(ctx: UiTestContext): Promise<void>;
  /**
   * 'restricted': run in a separate code-server session with Workspace Trust enabled and the workspace
   * not trusted. Otherwise the shared session, where Workspace Trust is disabled.
   */
  trust?: 'restricted';
}

export const uiTests: UiTest[] = [calculatorUiTest, hintsUiTest, commandsUiTest, safetensorsViewerUiTest, panelUiTest,
  panelRestoreExportUiTest, validateByTrainingUiTest, constructAdapterUiTest, restrictedModeUiTest];
