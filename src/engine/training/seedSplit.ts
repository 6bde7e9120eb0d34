/**
 * Seeds are independent (own models, inputs and fits), so a validation request can run as one request
 * per seed on separate threads and be merged afterwards. The merge gives the result the whole request
 * would have given run in one piece: a seed's data depends only on `baseSeed + s`.
 */
import type { ValidationCurvePoint, ValidationRequest, ValidationResult } from '../../protocol';
import { median } from './validation';

/** One request per seed, in seed order. */
export function splitBySeed(req: ValidationRequest): ValidationRequest[] {
  return Array.from({ length: req.seeds }, (_, s) => ({ ...req, seeds: 1, baseSeed: req.baseSeed + s }));
}

/** Merges the per-seed results of {@link splitBySeed}, given in seed order. */
export function mergeSeedResults(req: ValidationRequest, parts: ValidationResult[], seconds: number): ValidationResult {
  if (parts.length === 0) throw new RangeError('mergeSeedResults: no results');
  const points = new Map<string, { point: ValidationCurvePoint; predicted: number[]; exact: boolean[] }>();
  for (const part of parts) {
    for (const p of part.curves) {
      const key = `${p.method}/${p.bias}/${p.tunedLayers ?? p.rank}`;
      let acc = points.get(key);
      if (!acc) {
        acc = { point: { ...p, perSeed: [], ...(p.learningRates ? { learningRates: [] } : {}) }, predicted: [], exact: [] };
        points.set(key, acc);
      }
      acc.point.perSeed.push(...p.perSeed);
      if (p.learningRates) acc.point.learningRates?.push(...p.learningRates);
      if (p.medianPredictedSpectralError !== undefined) acc.predicted.push(p.medianPredictedSpectralError);
      if (p.exactClaimed !== undefined) acc.exact.push(p.exactClaimed);
    }
  }
  const curves = [...points.values()].map(({ point, predicted, exact }) => ({
    ...point,
    medianTestMse: median(point.perSeed),
    ...(point.method === 'construction' ? { exactClaimed: exact.length === parts.length && exact.every(Boolean), medianPredictedSpectralError: median(predicted) } : {}),
  }));
  const first = parts[0];
  return {
    ...first,
    request: req,
    curves,
    baselineMedianTestMse: median(parts.map((p) => p.baselineMedianTestMse)),
    backend: parts.find((p) => p.backend)?.backend ?? null,
    trainingSteps: parts.reduce((n, p) => n + p.trainingSteps, 0),
    seconds,
    notes: [...new Set(parts.flatMap((p) => p.notes))],
  };
}

/**
 * Runs `task(0)`, `task(1)`, … `task(count − 1)`, at most `concurrency` at a time, starting them in
 * order; once `stopped()` says so, no further task starts (running ones finish or are cancelled by
 * their owner).
 */
export async function inLanes(count: number, concurrency: number, task: (index: number) => Promise<void>, stopped: () => boolean): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count && !stopped()) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(count, concurrency)) }, lane));
}
