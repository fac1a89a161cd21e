/**
 * Deployment criteria: what a model must achieve to be shipped, as a clinician or engineer states
 * them on the command line, parsed into plain values, resolved against the unpruned model's
 * quality, and checked against a candidate's measurements.
 *
 *   --min-quality 0.96x      at least 0.96 times the unpruned model's quality (Dice or accuracy)
 *   --min-quality 0.85       an absolute floor (or 85%)
 *   --max-latency 5ms@b1     median onnxruntime-node latency at batch 1 (1 thread unless @t2)
 *   --max-params 100k        parameters (non-zero ones for masked models); k, M, G
 *   --max-bytes 1MB          .onnx file size; KB, MB, GB are powers of 1024, as Sculpt prints sizes
 *
 * @example
 * const criteria = parseCriteria({ minQuality: '0.96x', maxLatency: '5ms@b1' });
 * const bounds = resolveCriteria(criteria, 0.91); // { minQuality: 0.8736, maxLatency: { ms: 5, batch: 1, threads: 1 } }
 */
import { SculptError } from '../errors.js';

/** A quality floor relative to the unpruned model (`factor` × its quality) or absolute. */
export type QualityFloor = { readonly kind: 'relative'; readonly factor: number } | { readonly kind: 'absolute'; readonly value: number };

/** Where latency is measured (onnxruntime-node CPU on this machine). */
export interface LatencyConfig {
  readonly batch: number;
  /** onnxruntime intra-op threads. */
  readonly threads: number;
}

/** A median-latency ceiling at a configuration. */
export interface LatencyCeiling extends LatencyConfig {
  readonly ms: number;
}

/** Criteria as stated: every bound given must hold. */
export interface FitCriteria {
  readonly minQuality?: QualityFloor;
  readonly maxLatency?: LatencyCeiling;
  readonly maxParams?: number;
  readonly maxBytes?: number;
}

/** Criteria with the quality floor made absolute; the shape of the results file's `criteria`. */
export interface ResolvedCriteria {
  readonly minQuality?: number;
  readonly maxLatency?: LatencyCeiling;
  readonly maxParams?: number;
  readonly maxBytes?: number;
}

/** The criteria's texts, as the CLI options give them. */
export interface CriteriaText {
  readonly minQuality?: string;
  readonly maxLatency?: string;
  readonly maxParams?: string;
  readonly maxBytes?: string;
}

/** Threads used when a latency ceiling names none: one, as on a small edge device. */
export const DEFAULT_LATENCY_THREADS = 1;

/** Parses every given criterion; names the option in every error. */
export function parseCriteria(text: CriteriaText): FitCriteria {
  return {
    ...(text.minQuality !== undefined ? { minQuality: parseQualityFloor(text.minQuality) } : {}),
    ...(text.maxLatency !== undefined ? { maxLatency: parseLatencyCeiling(text.maxLatency) } : {}),
    ...(text.maxParams !== undefined ? { maxParams: parseCount(text.maxParams) } : {}),
    ...(text.maxBytes !== undefined ? { maxBytes: parseByteSize(text.maxBytes) } : {}),
  };
}

/**
 * `0.96x` (relative to the unpruned model, in (0, 1]), `0.85` or `85%` (absolute, in (0, 1]).
 * @example parseQualityFloor('0.96x') // { kind: 'relative', factor: 0.96 }
 */
export function parseQualityFloor(text: string, what = '--min-quality'): QualityFloor {
  const trimmed = text.trim();
  const match = /^(\d*\.?\d+(?:e-?\d+)?)\s*(x|%)?$/i.exec(trimmed);
  if (!match) {
    throw new SculptError('BAD_ARGUMENT', `${what} got '${text}'; allowed: a factor of the unpruned model's quality such as 0.96x, or an absolute value such as 0.85 or 85%`);
  }
  const value = Number(match[1]);
  const unit = match[2]?.toLowerCase();
  if (unit === 'x') {
    if (!(value > 0 && value <= 1)) {
      throw new SculptError('BAD_ARGUMENT', `${what} ${trimmed}: a relative floor must be in (0x, 1x] (1x keeps the unpruned model's quality); for a bar above it give an absolute value such as 0.95`);
    }
    return { kind: 'relative', factor: value };
  }
  const absolute = unit === '%' ? value / 100 : value;
  if (!(absolute > 0 && absolute <= 1)) {
    const hint = unit === undefined && value > 1 && value <= 100 ? `; did you mean ${value}% (or ${value / 100})?` : '; Dice and accuracy lie in (0, 1]';
    throw new SculptError('BAD_ARGUMENT', `${what} ${trimmed} is outside (0, 1]${hint}`);
  }
  return { kind: 'absolute', value: absolute };
}

const TIME_UNITS: Readonly<Record<string, number>> = { us: 1e-3, µs: 1e-3, ms: 1, s: 1000 };

/**
 * `5ms@b1`, `20ms@b8`, `5ms@t2`, `30ms@b8@t2` (also `us`, `s`). Batch defaults to 1 and threads
 * to DEFAULT_LATENCY_THREADS.
 * @example parseLatencyCeiling('20ms@b8@t2') // { ms: 20, batch: 8, threads: 2 }
 */
export function parseLatencyCeiling(text: string, what = '--max-latency'): LatencyCeiling {
  const [head = '', ...qualifiers] = text.trim().split('@').map((part) => part.trim());
  const allowed = 'a time with a unit and optional @b<batch> and @t<threads>, e.g. 5ms@b1, 20ms@b8@t2';
  const match = /^(\d*\.?\d+(?:e-?\d+)?)\s*([a-zµ]*)$/i.exec(head);
  if (!match) throw new SculptError('BAD_ARGUMENT', `${what} got '${text}'; allowed: ${allowed}`);
  const unit = match[2]!.toLowerCase();
  const scale = TIME_UNITS[unit];
  if (scale === undefined) {
    throw new SculptError('BAD_ARGUMENT', `${what} ${text}: ${unit === '' ? 'the time needs a unit' : `unknown time unit '${match[2]}'`}; allowed: us, ms, s (e.g. 5ms@b1)`);
  }
  const ms = Number(match[1]) * scale;
  if (!(ms > 0 && Number.isFinite(ms))) throw new SculptError('BAD_ARGUMENT', `${what} ${text}: the time must be more than zero`);
  return { ms, ...parseConfigQualifiers(qualifiers, text, what) };
}

/**
 * Latency configurations to time at: `b1,b8` or `b8@t2` (threads default to DEFAULT_LATENCY_THREADS).
 * @example parseLatencyConfigs('b1,b8@t2') // [{ batch: 1, threads: 1 }, { batch: 8, threads: 2 }]
 */
export function parseLatencyConfigs(text: string, what = '--latency-at'): LatencyConfig[] {
  return text.split(',').map((word) => {
    const parts = word.trim().split('@').map((part) => part.trim());
    if (parts.some((p) => p === '')) throw new SculptError('BAD_ARGUMENT', `${what} got '${text}'; allowed: configurations such as b1,b8 or b8@t2, separated by commas`);
    return parseConfigQualifiers(parts, word, what);
  });
}

/** `b8`, `t2` (each at most once) as a configuration. */
function parseConfigQualifiers(qualifiers: readonly string[], text: string, what: string): LatencyConfig {
  let batch: number | undefined;
  let threads: number | undefined;
  for (const qualifier of qualifiers) {
    const q = /^([bt])(\d+)$/i.exec(qualifier);
    if (!q) throw new SculptError('BAD_ARGUMENT', `${what} ${text}: unknown qualifier '${qualifier}'; allowed: b<batch> (e.g. @b8) and t<threads> (e.g. @t2)`);
    const n = Number(q[2]);
    const letter = q[1]!.toLowerCase();
    const name = letter === 'b' ? 'batch' : 'threads';
    if ((letter === 'b' ? batch : threads) !== undefined) throw new SculptError('BAD_ARGUMENT', `${what} ${text}: ${letter} is given twice; give the ${name} once`);
    const max = letter === 'b' ? 65536 : 256;
    if (!(n >= 1 && n <= max)) throw new SculptError('BAD_ARGUMENT', `${what} ${text}: the ${name} must be from 1 to ${max}, got ${n}`);
    if (letter === 'b') batch = n;
    else threads = n;
  }
  return { batch: batch ?? 1, threads: threads ?? DEFAULT_LATENCY_THREADS };
}

const COUNT_SUFFIXES: Readonly<Record<string, number>> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };

/**
 * A parameter count: `100k`, `2.5M`, `1G`, `30000`, `1e5`.
 * @example parseCount('2.5M') // 2500000
 */
export function parseCount(text: string, what = '--max-params'): number {
  const match = /^(\d*\.?\d+(?:e\d+)?)\s*([a-z]*)$/i.exec(text.trim().replace(/_/g, ''));
  const factor = match ? COUNT_SUFFIXES[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined) {
    throw new SculptError('BAD_ARGUMENT', `${what} got '${text}'; allowed: a count with an optional k, M or G suffix, e.g. 100k, 2.5M, 30000`);
  }
  const value = Math.round(Number(match[1]) * factor);
  if (!(value >= 1 && Number.isSafeInteger(value))) throw new SculptError('BAD_ARGUMENT', `${what} ${text}: the count must be at least 1`);
  return value;
}

const BYTE_UNITS: Readonly<Record<string, number>> = { b: 1, '': 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3 };

/**
 * A file size: `1MB`, `512KB`, `2.5MiB`, `300000` (bytes). KB, MB and GB are powers of 1024, as
 * Sculpt prints sizes.
 * @example parseByteSize('1MB') // 1048576
 */
export function parseByteSize(text: string, what = '--max-bytes'): number {
  const match = /^(\d*\.?\d+)\s*([a-z]*)$/i.exec(text.trim());
  const factor = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined) {
    throw new SculptError('BAD_ARGUMENT', `${what} got '${text}'; allowed: a size with a unit B, KB, MB or GB (powers of 1024), e.g. 1MB, 512KB, 300000`);
  }
  const value = Math.floor(Number(match[1]) * factor);
  if (!(value >= 1 && Number.isSafeInteger(value))) throw new SculptError('BAD_ARGUMENT', `${what} ${text}: the size must be at least 1 byte`);
  return value;
}

/** True when no criterion is stated. */
export function noCriteria(criteria: FitCriteria): boolean {
  return criteria.minQuality === undefined && criteria.maxLatency === undefined && criteria.maxParams === undefined && criteria.maxBytes === undefined;
}

/** Makes the quality floor absolute against the unpruned model's quality. */
export function resolveCriteria(criteria: FitCriteria, baselineQuality: number): ResolvedCriteria {
  const floor = criteria.minQuality;
  const minQuality = floor === undefined ? undefined : floor.kind === 'relative' ? floor.factor * baselineQuality : floor.value;
  return {
    ...(minQuality !== undefined ? { minQuality } : {}),
    ...(criteria.maxLatency ? { maxLatency: criteria.maxLatency } : {}),
    ...(criteria.maxParams !== undefined ? { maxParams: criteria.maxParams } : {}),
    ...(criteria.maxBytes !== undefined ? { maxBytes: criteria.maxBytes } : {}),
  };
}

/** The criteria in words, e.g. `Dice >= 0.951 (0.96x of 0.991), latency <= 5 ms at batch 1, 1 thread`. */
export function describeCriteria(criteria: FitCriteria, resolved: ResolvedCriteria, metric: string): string {
  const parts: string[] = [];
  if (resolved.minQuality !== undefined) {
    const floor = criteria.minQuality;
    const relative = floor?.kind === 'relative' ? ` (${floor.factor}x of the unpruned ${formatQualityValue(resolved.minQuality / floor.factor)})` : '';
    parts.push(`${metric} >= ${formatQualityValue(resolved.minQuality)}${relative}`);
  }
  if (resolved.maxLatency) parts.push(`latency <= ${formatMilliseconds(resolved.maxLatency.ms)} at ${describeConfig(resolved.maxLatency)}`);
  if (resolved.maxParams !== undefined) parts.push(`parameters <= ${formatParams(resolved.maxParams)}`);
  if (resolved.maxBytes !== undefined) parts.push(`file <= ${formatFileSize(resolved.maxBytes)}`);
  return parts.length > 0 ? parts.join(', ') : 'no criteria';
}

/** `batch 8, 2 threads`. */
export function describeConfig(config: LatencyConfig): string {
  return `batch ${config.batch}, ${config.threads} thread${config.threads === 1 ? '' : 's'}`;
}

/** A quality value with four decimals. */
export function formatQualityValue(value: number): string {
  return value.toFixed(4);
}

/** Milliseconds: `0.412 ms`, `5 ms`, `1234 ms`. */
export function formatMilliseconds(ms: number): string {
  return `${ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toPrecision(3)} ms`;
}

/** Parameter counts: `31.04M`, `30.3k`, `812`. */
export function formatParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** Sizes in powers of 1024, as Sculpt prints them: `1.06 MB`. */
export function formatFileSize(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(2)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}
