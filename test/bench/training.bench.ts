/**
 * Training benchmark (issue 6), on the wasm backend:
 * (a) Adam steps per second of LoRA fitting, width 16, batch 256, for L = 2, 4, 8.
 * (b) Wall time of the whole width-16 synthetic sweep with the authors' settings (5 seeds, 5000 steps,
 *     3 learning rates, 5000 test inputs; (L̄, L) = (1,2) and (2,4) with construction + gradient and
 *     the bias ablation, and L̄=1, L=8 with final-layer tuning). The full sweep is ~5.9 million Adam
 *     steps (hours here), so it is EXTRAPOLATED: each request runs with 1 seed at two short step
 *     counts, a line `time = overhead + steps · perStep` is fitted per request, and the fit is scaled
 *     to 5 seeds and 5000 steps. Logged with the load average: the machine is shared.
 */
import * as os from 'node:os';
import { describeBackend, loadBackend, type TensorBackend } from '../../src/engine/backend';
import { fitByGradient, randomFnn, runValidation, SeededRandom, syntheticSweepRequests } from '../../src/engine/training';

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function stepsPerSecond(backend: TensorBackend, L: number, Lbar: number, rank: number, log: (line: string) => void): Promise<number> {
  const rng = new SeededRandom(1);
  const frozen = randomFnn(16, L, rng);
  const target = randomFnn(16, Lbar, rng);
  const options = { method: 'lora' as const, rank, biases: 'tunable' as const, batchSize: 256, learningRate: 1e-3, seed: 2 };
  await fitByGradient(backend.tf, frozen, target, { ...options, steps: 20 }); // warm-up
  const steps = 300;
  const start = process.hrtime.bigint();
  await fitByGradient(backend.tf, frozen, target, { ...options, steps });
  const rate = steps / seconds(start);
  log(`(a) L=${L}, L̄=${Lbar}, R=${rank}: ${rate.toFixed(0)} Adam steps/s (batch 256, width 16)`);
  return rate;
}

export async function runTrainingBench(log: (line: string) => void): Promise<void> {
  const backend = await loadBackend('wasm');
  log(`backend: ${describeBackend(backend)}; ${os.cpus().length} CPUs; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const [L, Lbar, rank] of [[2, 1, 8], [4, 2, 4], [8, 1, 2]] as const) await stepsPerSecond(backend, L, Lbar, rank, log);

  const full = syntheticSweepRequests();
  const shortSteps = [10, 40];
  let totalSeconds = 0;
  let totalSteps = 0;
  for (const req of full) {
    const times: number[] = [];
    for (const steps of shortSteps) {
      const start = process.hrtime.bigint();
      const result = await runValidation({ ...req, seeds: 1, steps }, { backend });
      times.push(seconds(start));
      if (steps === shortSteps[1]) {
        const curve = result.curves.filter((p) => p.method === 'construction' && p.bias === 'tunable').map((p) => `${p.rank}:${p.medianTestMse.toExponential(1)}`);
        if (curve.length > 0) log(`    construction test MSE by rank (seed 0): ${curve.join(' ')}`);
      }
    }
    const perStep = (times[1] - times[0]) / (shortSteps[1] - shortSteps[0]) / runsPerSeed(req);
    const overhead = times[0] - shortSteps[0] * perStep * runsPerSeed(req);
    const fullSteps = req.seeds * runsPerSeed(req) * req.steps;
    const estimate = req.seeds * (overhead + runsPerSeed(req) * req.steps * perStep);
    totalSeconds += estimate;
    totalSteps += fullSteps;
    log(
      `(b) L̄=${req.targetDepth}, L=${req.frozenDepth} [${req.methods.join(', ')}; biases ${req.biasModes.join('+')}; ranks ${req.ranks[0]}…${req.ranks[req.ranks.length - 1]}]: ` +
        `1 seed × ${shortSteps.join('/')} steps took ${times.map((t) => t.toFixed(1)).join('/')} s → ${(1 / perStep).toFixed(0)} steps/s, ` +
        `${overhead.toFixed(1)} s per seed besides training; full (${req.seeds} seeds × ${req.steps} steps, ${(fullSteps / 1e6).toFixed(2)} M steps): ≈ ${(estimate / 3600).toFixed(1)} h`,
    );
  }
  log(`(b) whole width-16 sweep, extrapolated: ≈ ${(totalSeconds / 3600).toFixed(1)} h for ${(totalSteps / 1e6).toFixed(2)} M Adam steps; load average now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  log(`tensors alive at the end: ${backend.tf.memory().numTensors}`);
}

/** Adam runs per seed of one request (every learning rate counted). */
function runsPerSeed(req: ReturnType<typeof syntheticSweepRequests>[number]): number {
  const gradient = req.methods.includes('gradient') ? req.ranks.length * req.biasModes.length : 0;
  const finalLayers = req.methods.includes('final-layers') ? req.frozenDepth - 1 : 0;
  return (gradient + finalLayers) * req.learningRates.length;
}

if (require.main === module) {
  runTrainingBench((line) => console.log(line)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
