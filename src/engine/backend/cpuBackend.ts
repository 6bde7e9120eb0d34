/** tfjs-backend-cpu on tfjs-core: always available, slowest. */
import * as tf from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import type { TensorBackend } from './types';

export async function loadCpuBackend(): Promise<Omit<TensorBackend, 'attempts'>> {
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs-backend-cpu did not initialise');
  await tf.ready();
  return { tf, name: 'cpu', version: version_cpu, engineName: 'cpu', device: 'CPU' };
}
