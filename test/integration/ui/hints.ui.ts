/**
 * Inline hints as a person sees them: open the example config, adapter and Python files and wait for
 * the hint text in the editor itself (inlay hints, CodeLens). Screenshots for reviews.
 */
import type { Page } from 'playwright-core';
import type { UiTest } from './index';
import { quickOpen } from './safetensorsViewer.ui';

async function editorShows(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(`.monaco-editor ${selector}`).filter({ hasText: text }).first().waitFor({ state: 'visible', timeout: 60_000 });
}

export const hintsUiTest: UiTest = {
  name: 'inline hints in config.json, adapter_config.json and Python',
  async run({ page, screenshot }) {
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });

    await quickOpen(page, 'llama-7b-config/config.json', 'config.json');
    // Inlay hints render as spans inside the view lines; the ⌈D/2⌉ hint of hidden_size 4096.
    await editorShows(page, '.view-lines', 'rank ⌈D/2⌉ = 2048 always suffices');
    await screenshot('hints-config-json');

    await quickOpen(page, 'tiny-llama-adapter/adapter_config.json', 'adapter_config.json');
    await editorShows(page, '.view-lines', 'D = 64, 2 layers, ⌈D/2⌉ = 32');
    await screenshot('hints-adapter-config');

    await quickOpen(page, 'mlp_lora.py', 'mlp_lora.py');
    await editorShows(page, '.codelens-decoration', 'LoRA Lens: FNN depth 4 width 16');
    await screenshot('hints-python');
  },
};
