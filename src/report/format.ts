/**
 * Number and text formatting shared by the report's tables, plots and criteria messages, so a
 * value reads the same everywhere. Sizes are decimal (1 kB = 1000 bytes), like file managers.
 */
import type { LatencyConfig, QualityMetric } from './results.js';

/** Display names of the methods Sculpt writes; other slugs are shown as written. */
const METHOD_NAMES: Readonly<Record<string, string>> = {
  dense: 'Dense',
  upai: 'UPaI',
  reconvene: 'Reconvene',
  'structured-zero': 'Structured (emptied filters)',
  l1: 'L1-norm filters',
  l2: 'L2-norm filters',
  'bn-scale': 'BN-scale filters',
  taylor: 'Taylor filters',
  sculpt: 'Sculpt search',
};

/** Display names of scorers; other slugs are shown as written. */
const SCORER_NAMES: Readonly<Record<string, string>> = {
  random: 'Random',
  magnitude: 'Magnitude',
  snip: 'SNIP',
  grasp: 'GraSP',
  synflow: 'SynFlow',
  l1: 'L1',
  l2: 'L2',
  'bn-scale': 'BN scale',
  taylor: 'Taylor',
};

/** The display name of a method slug. */
export function methodName(method: string): string {
  return METHOD_NAMES[method] ?? method;
}

/** The display name of a scorer slug. */
export function scorerName(scorer: string): string {
  return SCORER_NAMES[scorer] ?? scorer;
}

/** The display name of a quality metric. */
export function metricName(metric: QualityMetric): string {
  return metric === 'accuracy' ? 'Accuracy' : 'Dice';
}

/** A quality value in its metric's usual form: accuracy as a percentage, Dice as a fraction. */
export function formatQuality(value: number | null, metric: QualityMetric): string {
  if (value === null) return '—';
  return metric === 'accuracy' ? `${(value * 100).toFixed(2)}%` : value.toFixed(3);
}

/** A quality difference: percentage points for accuracy, a signed fraction for Dice. */
export function formatQualityDelta(delta: number, metric: QualityMetric): string {
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  const size = Math.abs(delta);
  return metric === 'accuracy' ? `${sign}${(size * 100).toFixed(2)} pp` : `${sign}${size.toFixed(3)}`;
}

/** A count with a k / M / G suffix and three significant digits (e.g. 1.23 M). */
export function formatCount(value: number): string {
  const units: readonly [number, string][] = [
    [1e9, ' G'],
    [1e6, ' M'],
    [1e3, ' k'],
  ];
  for (const [scale, suffix] of units) if (Math.abs(value) >= scale) return `${significant(value / scale)}${suffix}`;
  return String(Math.round(value));
}

/** A byte count in B / kB / MB / GB (decimal). */
export function formatBytes(bytes: number): string {
  const units: readonly [number, string][] = [
    [1e9, ' GB'],
    [1e6, ' MB'],
    [1e3, ' kB'],
  ];
  for (const [scale, suffix] of units) if (bytes >= scale) return `${significant(bytes / scale)}${suffix}`;
  return `${bytes} B`;
}

/** Milliseconds with three significant digits. */
export function formatMs(ms: number): string {
  return `${significant(ms)} ms`;
}

/** Seconds, switching to minutes past two minutes. */
export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${significant(seconds)} s`;
  return `${significant(seconds / 60)} min`;
}

/** A ratio such as a compression factor: 12.3×. */
export function formatRatio(ratio: number): string {
  return `${significant(ratio)}×`;
}

/** A fraction as a percentage with up to two decimals (sparsity 0.99609 → 99.61%). */
export function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/** A latency configuration, e.g. "1 thread, batch 1". */
export function formatConfig(config: LatencyConfig): string {
  return `${config.threads} thread${config.threads === 1 ? '' : 's'}, batch ${config.batch}`;
}

/** An ISO date-time as "2025-03-14 09:26 UTC" (the text as written when it does not parse). */
export function formatDate(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const text = new Date(time).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}

/** Three significant digits without exponent notation or trailing zeros. */
export function significant(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return String(Number(value.toFixed(Math.min(digits, 6))));
}
