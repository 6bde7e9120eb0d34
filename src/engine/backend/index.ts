export { loadBackend, describeBackend } from './loadBackend';
export { measureMatmulGflops } from './matmulSpeed';
export {
  BACKEND_ORDER,
  BackendUnavailableError,
  describeAttempts,
  type BackendAttempt,
  type BackendName,
  type BackendPreference,
  type LoadBackendOptions,
  type TensorBackend,
  type TfNamespace,
} from './types';
