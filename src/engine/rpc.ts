/** Typed request/notification objects for vscode-jsonrpc, derived from the method names in protocol.ts. */
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { EngineMethod, EngineNotifications, EngineRequests } from '../protocol';

export function requestType<M extends EngineMethod>(method: M): RequestType<EngineRequests[M]['params'], EngineRequests[M]['result'], void> {
  return new RequestType(method);
}

export function notificationType<M extends keyof EngineNotifications>(method: M): NotificationType<EngineNotifications[M]> {
  return new NotificationType(method);
}
