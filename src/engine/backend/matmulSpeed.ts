/** Float32 matmul throughput of a backend, for logs and the benchmark. */
import type { TensorBackend } from './types';

/**
 * Median GFLOP/s of `n×n · n×n` float32 products (2n³ flops each) over `repeats` timed runs after one
 * warm-up. Inputs are made on the backend and disposed.
 */
export function measureMatmulGflops(backend: TensorBackend, n: number, repeats = 3): number {
  const { tf } = backend;
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  const times: number[] = [];
  try {
    for (let r = 0; r <= repeats; r++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
      if (r > 0) times.push(performance.now() - t0);
    }
  } finally {
    a.dispose();
    b.dispose();
  }
  times.sort((x, y) => x - y);
  const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
  return (2 * n * n * n) / (median * 1e6);
}
