/** tfjs-node / tfjs-node-gpu: native libtensorflow, optional dependencies that are often not installed. */
import type { TensorBackend, TfNamespace } from './types';
import { runtimeRequire } from './runtimeRequire';

interface NodeTfModule extends TfNamespace {
  version?: Record<string, string>;
}

/**
 * Loads `@tensorflow/tfjs-node-gpu` (gpu) or `@tensorflow/tfjs-node` and activates its `tensorflow` backend.
 * Uses the namespace the package exports: it registers its kernels on its own copy of tfjs-core.
 * Throws with a short reason when the package is missing or libtensorflow fails to load.
 */
export async function loadNodeTensorflow(gpu: boolean): Promise<Omit<TensorBackend, 'attempts'>> {
  const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  let tf: NodeTfModule;
  try {
    tf = runtimeRequire(pkg) as NodeTfModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND') throw new Error(`${pkg} is not installed (optional dependency)`);
    throw new Error(`${pkg} failed to load: ${firstLine(err)}`);
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its tensorflow backend did not initialise`);
  await tf.ready();
  const version = tf.version?.['tfjs-node'] ?? tf.version?.['tfjs-core'] ?? 'unknown';
  let device = 'CPU';
  if (gpu) {
    // tfjs-node-gpu silently runs on the CPU when CUDA is missing; a tiny op tells which device ran it.
    device = (await probeGpu(tf)) ? 'GPU' : 'CPU (no CUDA device visible)';
  }
  return { tf, name: gpu ? 'tensorflow-gpu' : 'tensorflow', version, engineName: 'tensorflow', device };
}

async function probeGpu(tf: TfNamespace): Promise<boolean> {
  const env = process.env.CUDA_VISIBLE_DEVICES;
  if (env !== undefined && env.trim() === '') return false;
  const probe = tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])));
  await probe.data();
  probe.dispose();
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
  return backend.isUsingGpuDevice ?? true;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error';
}
