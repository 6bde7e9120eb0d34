/**
 * Safetensors for LoRA Lens: header validation of untrusted files (single or sharded), lazy
 * one-tensor-at-a-time decoding to float32/float64, and a deterministic writer.
 */
export { readCheckpointHeader } from './checkpoint';
export { forEachTensor, readTensor, type ForEachTensorOptions, type ReadTensorOptions } from './tensorReader';
export { writeSafetensors, type TensorToWrite } from './writer';
export { MAX_HEADER_BYTES } from './fileHeader';

/** True for paths that name a safetensors file or a sharded checkpoint's index (by name only). */
export function isSafetensorsPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower.endsWith('.safetensors') || lower.endsWith('.safetensors.index.json');
}
