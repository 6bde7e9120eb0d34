/** Numbers for people: counts, parameter totals, byte sizes, shapes. Pure and locale-independent. */

/** 90432 → "90,432". */
export function formatInteger(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Three significant digits: 999 → "999", 90432 → "90.4K", 6738415616 → "6.74B". */
export function formatCompact(n: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (const [scale, unit] of units) {
    if (Math.abs(n) >= scale) {
      const value = n / scale;
      const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
      return `${value.toFixed(digits)}${unit}`;
    }
  }
  return String(Math.round(n));
}

/** Binary multiples, VS Code's convention: 1536 → "1.50 KB", 370000 → "361 KB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let value = n;
  let unit = 'B';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

/** [64, 128] → "64 × 128"; [] → "scalar". */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join(' × ');
}

/** Share as a percentage with sensible precision: 0.999 → "99.9%", 0.00004 → "<0.1%". */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const share = (100 * part) / whole;
  if (share > 0 && share < 0.1) return '<0.1%';
  return `${share >= 10 ? share.toFixed(0) : share.toFixed(1)}%`;
}
