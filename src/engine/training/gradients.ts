/**
 * Gradient functions for the few kernels the fitting differentiates through. The CommonJS build of
 * tfjs-core that Node loads (`tf-core.node.js`) registers no gradients at all (the union package
 * `@tensorflow/tfjs` does, but LoRA Lens ships only tfjs-core + backends), and its per-file ESM
 * gradient modules would register on a different module instance. These follow tfjs's own configs.
 * Registered only where the namespace has none (tfjs-node brings its own).
 * The matmul gradient transposes explicitly instead of using the transposeA/B flags, which are
 * many times slower on the wasm backend (design.md). Slice and Reshape carry the gradient from the
 * one flat parameter vector to each layer's views; Multiply scales the summed loss of a group of runs.
 */
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import type { TfNamespace } from '../backend';

function gradConfigs(tf: TfNamespace): GradConfig[] {
  /** Sums a broadcast gradient back to the input's shape. */
  const unbroadcast = (dy: Tensor, shape: number[], outShape: number[]): Tensor => {
    const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
    return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
  };
  const t = (x: Tensor): Tensor => {
    const perm = x.shape.map((_, i) => i);
    [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
    return tf.transpose(x, perm);
  };
  return [
    {
      // C = op(A)·op(B) with op = identity or transpose; 2-D or batched with equal batch shapes.
      kernelName: 'BatchMatMul',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
        const [a, b] = saved;
        const g = dy as Tensor;
        const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
        const mm = (x: Tensor, y: Tensor): Tensor => tf.matMul(x as Tensor, y as Tensor);
        if (a.shape.length !== b.shape.length || a.shape.length !== g.shape.length) {
          throw new Error('BatchMatMul gradient: broadcast batch dimensions are not supported');
        }
        if (!transposeA && !transposeB) return { a: () => mm(g, t(b)), b: () => mm(t(a), g) };
        if (!transposeA && transposeB) return { a: () => mm(g, b), b: () => mm(t(g), a) };
        if (transposeA && !transposeB) return { a: () => mm(b, t(g)), b: () => mm(a, g) };
        return { a: () => mm(t(b), t(g)), b: () => mm(t(g), t(a)) };
      },
    },
    {
      kernelName: 'Add',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [a, b] = saved;
        const g = dy as Tensor;
        const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
        return { a: () => unbroadcast(g, a.shape, outShape), b: () => unbroadcast(g, b.shape, outShape) };
      },
    },
    {
      kernelName: 'SquaredDifference',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [a, b] = saved;
        const g = dy as Tensor;
        const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
        return {
          a: () => unbroadcast(tf.mul(g, tf.mul(tf.scalar(2), tf.sub(a, b))), a.shape, outShape),
          b: () => unbroadcast(tf.mul(g, tf.mul(tf.scalar(2), tf.sub(b, a))), b.shape, outShape),
        };
      },
    },
    {
      kernelName: 'Multiply',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [a, b] = saved;
        const g = dy as Tensor;
        const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
        return { a: () => unbroadcast(tf.mul(g, b), a.shape, outShape), b: () => unbroadcast(tf.mul(g, a), b.shape, outShape) };
      },
    },
    {
      kernelName: 'Relu',
      inputsToSave: ['x'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [x] = saved;
        return { x: () => tf.mul(dy as Tensor, tf.cast(tf.step(x), 'float32')) };
      },
    },
    {
      kernelName: 'Mean',
      inputsToSave: ['x'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
        const [x] = saved;
        const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
        const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const reduceSize = axes.reduce((n, axis) => n * x.shape[axis], 1);
        return { x: () => tf.div(tf.mul(tf.reshape(dy as Tensor, expanded), tf.ones(x.shape, 'float32')), reduceSize) };
      },
    },
    {
      kernelName: 'Reshape',
      inputsToSave: ['x'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [x] = saved;
        return { x: () => tf.reshape(dy as Tensor, x.shape) };
      },
    },
    {
      kernelName: 'Slice',
      inputsToSave: ['x'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
        const [x] = saved;
        const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin as number | number[], attrs.size as number | number[]);
        const paddings = x.shape.map((d, i): [number, number] => [begin[i], d - begin[i] - size[i]]);
        return { x: () => tf.pad(dy as Tensor, paddings) };
      },
    },
  ];
}

/** Registers the gradients above on `tf` where it has none. Idempotent. */
export function ensureTrainingGradients(tf: TfNamespace): void {
  for (const config of gradConfigs(tf)) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}
