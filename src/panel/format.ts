/** Number formatting for the panel's cells (fixed, compact, locale-independent so tests can read it). */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1,234,567 */
export function formatInteger(value: number): string {
  return integer.format(value);
}

/** 3 significant digits; tiny values in exponent form: 0.923, 12.5, 3.1e-7; '—' for null. */
export function formatError(value: number | null): string {
  if (value === null) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs < 1e-3 || abs >= 1e5) return value.toExponential(2);
  return Number(value.toPrecision(3)).toString();
}

/** 99.2 % (one decimal; 100 % only when exactly all is kept); '—' for null. */
export function formatPercent(fraction: number | null): string {
  if (fraction === null) return '—';
  if (fraction >= 1) return '100 %';
  const pct = Math.min(99.9, Math.floor(fraction * 1000) / 10);
  return `${pct.toFixed(1)} %`;
}

/** "4096 × 11008" ([out, in]). */
export function formatShape(shape: readonly [number, number] | null): string {
  return shape ? `${shape[0]} × ${shape[1]}` : '—';
}

/** 12.5k, 3.40M, 6.74G for summary cards. */
export function formatCount(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return formatInteger(value);
}

/** "0.42 s", "1 min 3 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}
