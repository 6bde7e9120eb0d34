/** Reading one module's weight as a matrix in the `y = W x` orientation ([out, in]). */
import { readTensor } from '../../formats/safetensors';
import { FormatError, type ModuleSpec } from '../../formats/types';
import { type DenseMatrix as Mat, transpose } from '../linalg';

/** Modules a LoRA can adapt and the analyses compare: 2-D weights of linear maps and embeddings. */
export function isMatrixModule(m: ModuleSpec): boolean {
  return m.shape.length === 2 && m.role !== 'norm' && m.weight !== undefined;
}

/**
 * Reads `module`'s weight as [out, in]. F32/F16/BF16 are returned as float32 (exact: every such value
 * is a float32) unless `float64`; F64 as float64. Conv1D storage ([in, out]) is transposed (float64).
 */
export async function readMatrix(module: ModuleSpec, float64 = false): Promise<Mat> {
  const ref = module.weight;
  if (!ref) throw new FormatError(module.name, 'has no weight tensor');
  if (ref.shape.length !== 2) throw new FormatError(ref.file, `tensor ${ref.name} is not a matrix`);
  const data = await readTensor(ref, { float64 });
  const stored: Mat = { data, rows: ref.shape[0] as number, cols: ref.shape[1] as number };
  return module.transposed ? transpose(stored) : stored;
}

/** Reads a bias vector (float64), or undefined when the module has none. */
export async function readBias(module: ModuleSpec): Promise<Float64Array | undefined> {
  if (!module.bias) return undefined;
  return (await readTensor(module.bias, { float64: true })) as Float64Array;
}
