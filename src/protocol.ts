/**
 * The ONE file of message types shared by the extension host, the engine process and the webview
 * (the lsp_ext.ts pattern: a literal method name and typed params/result per message).
 * Plain types only: no imports, so the browser bundle can use it too.
 */

/** Tensor backends, in the order `auto` tries them. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export interface BackendAttempt {
  name: BackendName;
  /** Why it did not load; absent for the one that did. */
  error?: string;
}

/** engine/status: what the engine runs on and what it uses. */
export interface EngineStatus {
  pid: number;
  /** Node.js version of the engine process. */
  node: string;
  uptimeSeconds: number;
  /** Null until a backend has been loaded (it loads on the first request that needs tensors). */
  backend: { name: BackendName; version: string; device: string } | null;
  attempts: BackendAttempt[];
  memory: { rssBytes: number; heapUsedBytes: number; externalBytes: number; tensorBytes: number };
}

export interface EngineStatusParams {
  /** Load the tensor backend first (so the status names it). */
  loadBackend?: boolean;
  backend?: BackendPreference;
}

/** Progress notification sent while a request runs. */
export interface EngineProgress {
  /** The request's token, as given in its params. */
  token: string;
  /** 0..1 */
  fraction: number;
  message: string;
}

/** Method names and their params/results. */
export interface EngineRequests {
  'engine/status': { params: EngineStatusParams; result: EngineStatus };
}

export interface EngineNotifications {
  'engine/progress': EngineProgress;
}

export type EngineMethod = keyof EngineRequests;
