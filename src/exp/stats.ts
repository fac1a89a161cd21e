/** Summary statistics and number formats of the experiment tables. */

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (n − 1); 0 for one value, NaN for none. */
export function sampleStd(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  if (values.length === 1) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/** Geometric mean of positive values (ratios); NaN for none. */
export function geometricMean(values: readonly number[]): number {
  return values.length === 0 ? NaN : Math.exp(mean(values.map(Math.log)));
}

/** Median; the mean of the middle two for an even count; NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** '98.12 ± 0.31' (percent of a fraction), or '—'. */
export function formatPercentStats(values: readonly number[]): string {
  if (values.length === 0) return '—';
  return `${(100 * mean(values)).toFixed(2)} ± ${(100 * sampleStd(values)).toFixed(2)}`;
}

/** A count: 9,876 / 272k / 1.23M / 138M. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n < 10_000) return Math.round(n).toLocaleString('en-US');
  if (n < 1_000_000) return `${Number((n / 1000).toPrecision(3))}k`;
  return `${Number((n / 1e6).toPrecision(3))}M`;
}

/** Bytes: 812 B / 45.6 KiB / 1.23 MiB / 2.05 GiB. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/** Three significant digits, no exponent for the magnitudes the tables hold: 0.0123 / 1.23 / 123 / 1234. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 1000) return Math.round(n).toString();
  return String(Number(n.toPrecision(3)));
}

/** A ratio: '4.1x'. */
export function formatRatio(n: number): string {
  return Number.isFinite(n) ? `${n >= 10 ? n.toFixed(1) : n.toFixed(2)}x` : '—';
}

/** A signed difference in points: '+0.12' / '−1.30'. */
export function formatPoints(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const text = Math.abs(n).toFixed(2);
  return n < 0 && text !== '0.00' ? `−${text}` : `+${text}`;
}
