import type { Page } from 'playwright-core';
import { calculatorUiTest } from './calculator.ui';
import { commandsUiTest } from './commands.ui';
import { safetensorsViewerUiTest } from './safetensorsViewer.ui';
import { panelUiTest } from './panel.ui';

export interface UiTestContext {
  page: Page;
  workspace: string;
  screenshot(name: string): Promise<void>;
}

export interface UiTest {
  name: string;
  run(ctx: UiTestContext): Promise<void>;
}

export const uiTests: UiTest[] = [calculatorUiTest, commandsUiTest, safetensorsViewerUiTest, panelUiTest];
