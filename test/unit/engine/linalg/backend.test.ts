import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { BackendUnavailableError, describeBackend, loadBackend } from '../../../../src/engine/backend';
import { WASM_DIR } from './fixtures';

const localRequire = createRequire(__filename);
function installed(pkg: string): boolean {
  try {
    localRequire.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const hasNode = installed('@tensorflow/tfjs-node');
const hasNodeGpu = installed('@tensorflow/tfjs-node-gpu');

describe('loadBackend', () => {
  it('cpu always loads and says so', async () => {
    const b = await loadBackend('cpu');
    assert.equal(b.name, 'cpu');
    assert.equal(b.tf.getBackend(), 'cpu');
    assert.match(b.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(b.attempts, [{ name: 'cpu', ok: true }]);
  });

  it('wasm loads from the package folder and reports SIMD, threads and the file it picked', async () => {
    const b = await loadBackend('wasm', { wasmDir: WASM_DIR });
    assert.equal(b.name, 'wasm');
    assert.equal(b.tf.getBackend(), 'wasm');
    assert.ok(b.wasm);
    assert.match(b.wasm.file, /^tfjs-backend-wasm(-simd|-threaded-simd)?\.wasm$/);
    // tfjs 4.22 disables wasm threads under Node, so the SIMD single-thread build is the one that runs.
    if (!b.wasm.threads) assert.equal(b.wasm.threadCount, 1);
    assert.match(describeBackend(b), /^wasm \d/);
    const x = b.tf.tidy(() => b.tf.matMul(b.tf.tensor2d([1, 2, 3, 4], [2, 2]), b.tf.tensor2d([1, 0, 0, 1], [2, 2])));
    assert.deepEqual(Array.from(x.dataSync()), [1, 2, 3, 4]);
    x.dispose();
  });

  it('forcing wasm with a folder lacking the .wasm files names the folder', async () => {
    await assert.rejects(loadBackend('wasm', { wasmDir: __dirname }), (e: unknown) => {
      assert.ok(e instanceof BackendUnavailableError);
      assert.equal(e.requested, 'wasm');
      assert.match(e.message, /The wasm backend is not available: wasm: tfjs-backend-wasm\*\.wasm not found in/);
      assert.ok(e.message.includes(__dirname));
      return true;
    });
  });

  it('auto takes the first that loads and lists every attempt with its reason', async (t) => {
    const b = await loadBackend('auto', { wasmDir: WASM_DIR });
    assert.ok(b.attempts.length >= 1);
    assert.equal(b.attempts.at(-1)?.name, b.name);
    assert.ok(b.attempts.slice(0, -1).every((a) => !a.ok && typeof a.reason === 'string' && a.reason.length > 0));
    if (!hasNodeGpu && !hasNode) {
      assert.equal(b.name, 'wasm');
      assert.match(b.attempts[0]?.reason ?? '', /tfjs-node-gpu is not installed/);
      assert.match(b.attempts[1]?.reason ?? '', /tfjs-node is not installed/);
    } else {
      t.diagnostic(`tfjs-node(-gpu) installed: auto picked ${describeBackend(b)}`);
    }
  });

  it('forcing tensorflow when tfjs-node is missing is a clear error naming it', async (t) => {
    if (hasNode) {
      t.skip('@tensorflow/tfjs-node is installed here; the missing-package error cannot be exercised');
      return;
    }
    await assert.rejects(loadBackend('tensorflow'), /The tensorflow backend is not available: tensorflow: @tensorflow\/tfjs-node is not installed/);
  });

  it('tensorflow (tfjs-node) runs when installed', async (t) => {
    if (!hasNode) {
      t.skip('SKIPPED: @tensorflow/tfjs-node is not installed (optional dependency; its install downloads libtensorflow)');
      return;
    }
    const b = await loadBackend('tensorflow');
    assert.equal(b.tf.getBackend(), 'tensorflow');
  });

  it('an unknown preference is rejected', async () => {
    await assert.rejects(loadBackend('metal' as never), /unknown backend name/);
  });
});
