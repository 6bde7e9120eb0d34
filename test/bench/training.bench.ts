/**
 * Training benchmark (issue 6), on the wasm backend:
 * (a) Adam throughput of LoRA fitting, width 16, batch 256, for L = 2, 4, 8: one run alone, and a group
 *     of 24 runs trained as one batched model (what the sweep does), in run-steps per second.
 * (b) Wall time of the whole width-16 synthetic sweep with the authors' settings (5 seeds, 5000 steps,
 *     3 learning rates, 5000 test inputs; (L̄, L) = (1,2) and (2,4) with construction + gradient and
 *     the bias ablation, and L̄=1, L=8 with final-layer tuning). The full sweep is ~5.9 million run-steps
 *     (hours here), so it is EXTRAPOLATED: each request runs with 1 seed at two short step counts, a line
 *     `time = overhead + runSteps · perRunStep` is fitted per request, and the fit is scaled to 5 seeds
 *     and 5000 steps. Logged with the load average: the machine is shared.
 */
import * as os from 'node:os';
import { describeBackend, loadBackend, type TensorBackend } from '../../src/engine/backend';
import { fitGroupByGradient, type FitRunSpec, randomFnn, runValidation, SeededRandom, syntheticSweepRequests } from '../../src/engine/training';
import { runValidationOnThreads } from '../../src/engine/training/seedThreads';

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');

/** Run-steps per second of `groupSize` LoRA runs (ranks 1…16 and both bias modes mixed) trained together. */
async function runStepsPerSecond(backend: TensorBackend, L: number, Lbar: number, groupSize: number): Promise<number> {
  const rng = new SeededRandom(1);
  const frozen = randomFnn(16, L, rng);
  const target = randomFnn(16, Lbar, rng);
  const runs: FitRunSpec[] = Array.from({ length: groupSize }, (_, i) => ({
    method: 'lora', rank: 1 + (i % 16), biases: i % 2 ? 'frozen' : 'tunable', learningRate: 1e-3,
  }));
  const options = { batchSize: 256, seed: 2 };
  await fitGroupByGradient(backend.tf, frozen, target, runs, { ...options, steps: 10 }); // warm-up
  const steps = groupSize === 1 ? 300 : 60;
  const start = process.hrtime.bigint();
  await fitGroupByGradient(backend.tf, frozen, target, runs, { ...options, steps });
  return (steps * groupSize) / seconds(start);
}

export async function runTrainingBench(log: (line: string) => void): Promise<void> {
  const backend = await loadBackend('wasm');
  log(`backend: ${describeBackend(backend)}; ${os.cpus().length} CPUs; load average ${loadAverage()}`);
  for (const [L, Lbar] of [[2, 1], [4, 2], [8, 1]] as const) {
    const alone = await runStepsPerSecond(backend, L, Lbar, 1);
    const grouped = await runStepsPerSecond(backend, L, Lbar, 24);
    log(`(a) L=${L}, L̄=${Lbar}: ${alone.toFixed(0)} Adam steps/s for one run; ${grouped.toFixed(0)} run-steps/s for 24 runs batched (${(grouped / alone).toFixed(1)}×) (batch 256, width 16)`);
  }

  const full = syntheticSweepRequests();
  const shortSteps = [20, 80];
  let totalSeconds = 0;
  let totalRunSteps = 0;
  for (const req of full) {
    const times: number[] = [];
    const runSteps: number[] = [];
    for (const steps of shortSteps) {
      const start = process.hrtime.bigint();
      const result = await runValidation({ ...req, seeds: 1, steps }, { backend });
      times.push(seconds(start));
      runSteps.push(result.trainingSteps);
      if (steps === shortSteps[1]) {
        const curve = result.curves.filter((p) => p.method === 'construction' && p.bias === 'tunable').map((p) => `${p.rank}:${p.medianTestMse.toExponential(1)}`);
        if (curve.length > 0) log(`    construction test MSE by rank (seed 0): ${curve.join(' ')}`);
      }
    }
    const perRunStep = (times[1] - times[0]) / (runSteps[1] - runSteps[0]);
    const overhead = times[0] - runSteps[0] * perRunStep;
    const fullRunSteps = req.seeds * (runSteps[1] / shortSteps[1]) * req.steps;
    const estimate = req.seeds * overhead + fullRunSteps * perRunStep;
    totalSeconds += estimate;
    totalRunSteps += fullRunSteps;
    log(
      `(b) L̄=${req.targetDepth}, L=${req.frozenDepth} [${req.methods.join(', ')}; biases ${req.biasModes.join('+')}; ranks ${req.ranks[0]}…${req.ranks[req.ranks.length - 1]}]: ` +
        `1 seed × ${shortSteps.join('/')} steps took ${times.map((t) => t.toFixed(1)).join('/')} s → ${(1 / perRunStep).toFixed(0)} run-steps/s, ` +
        `${overhead.toFixed(1)} s per seed besides training; full (${req.seeds} seeds × ${req.steps} steps, ${(fullRunSteps / 1e6).toFixed(2)} M run-steps): ≈ ${(estimate / 3600).toFixed(2)} h`,
    );
  }
  log(`(b) whole width-16 sweep, extrapolated, one thread: ≈ ${(totalSeconds / 3600).toFixed(1)} h for ${(totalRunSteps / 1e6).toFixed(2)} M Adam run-steps; load average now ${loadAverage()}`);

  // (c) Seeds on threads: the same 2-seed request on 1 and on 2 threads (the machine has os.cpus() cores).
  const twoSeeds = { ...full[0], seeds: 2, steps: 60 };
  const wall: number[] = [];
  for (const jobs of [1, 2]) {
    const start = process.hrtime.bigint();
    await runValidationOnThreads(twoSeeds, { backend, jobs });
    wall.push(seconds(start));
  }
  const speedup = wall[0] / wall[1];
  // Seeds run in rounds of `cores` threads; each thread ran at `efficiency` of a lone one in (c).
  const cores = os.availableParallelism();
  const seeds = full[0].seeds;
  const rounds = Math.ceil(seeds / Math.min(cores, seeds));
  const efficiency = Math.min(1, speedup / 2);
  const parallelHours = (totalSeconds * rounds) / seeds / efficiency / 3600;
  log(`(c) 2 seeds of L̄=1, L=2 × 60 steps: ${wall[0].toFixed(1)} s on 1 thread, ${wall[1].toFixed(1)} s on 2 threads (${speedup.toFixed(2)}×); ` +
    `the whole sweep with its ${seeds} seeds on ${cores} threads (${rounds} rounds): ≈ ${parallelHours.toFixed(1)} h`);
  log(`tensors alive at the end: ${backend.tf.memory().numTensors}`);
}

if (require.main === module) {
  runTrainingBench((line) => console.log(line)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
