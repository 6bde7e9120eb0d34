/** Matrix products on the tensor backend (float32 accumulation). */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { MatrixShapeError, type DenseMatrix, type LinalgContext } from './types';
import { checkActiveBackend, checkShape, maxAbsFinite } from './validate';

function upload(ctx: LinalgContext, m: DenseMatrix): Tensor2D {
  const data = m.data instanceof Float32Array ? m.data : Float32Array.from(m.data);
  return ctx.backend.tf.tensor2d(data, [m.rows, m.cols], 'float32');
}

function check(m: DenseMatrix, what: string): void {
  checkShape(m.data, m.rows, m.cols, what);
  maxAbsFinite(m.data, m.cols);
}

/**
 * A·B (rows_A × cols_B), float32 on the backend: entry errors ≲ √k·ε₃₂·(|A||B|)_ij for inner size k.
 */
export function matmul(a: DenseMatrix, b: DenseMatrix, ctx: LinalgContext): DenseMatrix {
  return blockProduct([b, a], ctx);
}

/**
 * Product of consecutive layers in LAYER order: `layers[0]` acts first, so the result is
 * W_last ⋯ W_1·W_0 (later layers on the left). Each W_k is out_k × in_k; needs in_{k+1} = out_k.
 * @returns out_last × in_0, float32
 */
export function blockProduct(layers: readonly DenseMatrix[], ctx: LinalgContext): DenseMatrix {
  if (layers.length === 0) throw new MatrixShapeError('block product of no layers');
  layers.forEach((w, k) => check(w, `layer ${k}`));
  for (let k = 1; k < layers.length; k++) {
    const prev = layers[k - 1] as DenseMatrix;
    const cur = layers[k] as DenseMatrix;
    if (cur.cols !== prev.rows) {
      throw new MatrixShapeError(`layer ${k} takes ${cur.cols} inputs but layer ${k - 1} gives ${prev.rows} outputs`);
    }
  }
  const first = layers[0] as DenseMatrix;
  const last = layers[layers.length - 1] as DenseMatrix;
  if (layers.length === 1) return { data: Float32Array.from(first.data), rows: first.rows, cols: first.cols };
  checkActiveBackend(ctx);
  const { tf } = ctx.backend;
  const product = tf.tidy(() => {
    let acc = upload(ctx, first);
    for (let k = 1; k < layers.length; k++) acc = tf.matMul(upload(ctx, layers[k] as DenseMatrix), acc);
    return acc;
  });
  try {
    return { data: Float32Array.from(product.dataSync() as Float32Array), rows: last.rows, cols: first.cols };
  } finally {
    product.dispose();
  }
}
