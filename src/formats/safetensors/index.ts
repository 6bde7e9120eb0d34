/**
 * Safetensors for LoRA Lens: header validation of untrusted files (single or sharded), lazy
 * one-tensor-at-a-time decoding to float32/float64, and a deterministic writer.
 */
export { writeSafetensors, type TensorToWrite } from './writer';

/** True for paths that name a safetensors file or a sharded checkpoint's index (by name only). */
export function isSafetensorsPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower.endsWith('.safetensors') || lower.endsWith('.safetensors.index.json');
}
