/**
 * The safetensors viewer: a read-only custom editor that shows a `.safetensors` file's header
 * (tensors grouped by layer, dtypes, shapes, parameter counts, metadata) with an Analyze button.
 */
import * as vscode from 'vscode';
import type { SafetensorsViewerRendered } from '../../protocol';
import { SAFETENSORS_VIEW_TYPE, SafetensorsViewerProvider } from './provider';

export { SAFETENSORS_VIEW_TYPE } from './provider';

/**
 * Internal command (not in the palette): resolves with what the viewer last rendered for a file,
 * waiting for the next render when there is none yet. Integration tests wait on this event.
 * Arguments: the file's Uri (or its string form), an optional timeout in ms (default 30 s), and
 * optionally the view to wait for ('model' or 'error'; other reports are skipped).
 */
export const WAIT_FOR_RENDER_COMMAND = 'loraLens.safetensorsViewer.waitForRender';

export function registerSafetensorsViewer(context: vscode.ExtensionContext): void {
  const provider = new SafetensorsViewerProvider(context.extensionUri);
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(SAFETENSORS_VIEW_TYPE, provider, {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { enableFindWidget: true },
    }),
    vscode.commands.registerCommand(
      WAIT_FOR_RENDER_COMMAND,
      (uri: vscode.Uri | string, timeoutMs = 30_000, view?: SafetensorsViewerRendered['view']): Promise<SafetensorsViewerRendered> =>
        provider.renders.wait(typeof uri === 'string' ? uri : uri.toString(), timeoutMs, (r) => view === undefined || r.view === view),
    ),
  );
}
