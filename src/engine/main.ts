/**
 * The engine process: forked by the extension (or run by tests), it owns the tensor backend and every
 * heavy computation. It speaks JSON-RPC (vscode-jsonrpc) over the Node IPC channel.
 */
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import { requestType } from './rpc';
import { engineStatus } from './status';

function main(): void {
  if (!process.send) {
    process.stderr.write('lora-lens engine: must be started with an IPC channel (child_process.fork)\n');
    process.exit(2);
  }
  const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
  connection.onRequest(requestType('engine/status'), () => engineStatus(null, [], 0));
  // The extension host going away closes the channel: exit rather than linger as an orphan.
  connection.onClose(() => process.exit(0));
  process.on('disconnect', () => process.exit(0));
  connection.listen();
}

main();
