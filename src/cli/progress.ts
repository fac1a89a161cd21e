/**
 * A one-line progress bar with rate and ETA, for anything that may take over a second. It draws
 * nothing until a second has passed (so quick steps stay quiet), redraws at most ten times a
 * second, and is silent when disabled (stdout not a terminal, or --json).
 */
import type { TextStream } from './command.js';

/** Progress of one task. */
export interface ProgressBar {
  /** Advances by `n` (default 1). */
  tick(n?: number): void;
  /** Sets the number of items done. */
  update(done: number): void;
  /** Clears the bar (if drawn). */
  finish(): void;
}

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  readonly stream: TextStream;
  readonly enabled: boolean;
  /** Milliseconds; default performance.now(). */
  readonly clock?: () => number;
  /** Draw only after this many milliseconds. Default 1000. */
  readonly delayMs?: number;
  /** Minimum milliseconds between redraws. Default 100. */
  readonly intervalMs?: number;
  /** Unit for the rate, e.g. 'runs'. Default 'it'. */
  readonly unit?: string;
}

/** A bar that does nothing (for --json, pipes and tests). */
export const SILENT_PROGRESS: ProgressBar = { tick() {}, update() {}, finish() {} };

/** Creates a progress bar. */
export function createProgress(options: ProgressOptions): ProgressBar {
  if (!options.enabled) return SILENT_PROGRESS;
  const clock = options.clock ?? (() => performance.now());
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  const start = clock();
  let done = 0;
  let lastDraw = -Infinity;
  let drawn = false;
  const draw = (force: boolean): void => {
    const now = clock();
    if (now - start < delay || (!force && now - lastDraw < interval)) return;
    lastDraw = now;
    drawn = true;
    const width = Math.max(40, Math.min(options.stream.columns ?? 80, 120)) - 1;
    options.stream.write(`\r${renderProgress({ label: options.label, done, total: options.total, elapsedMs: now - start, unit: options.unit ?? 'it', width })}\x1b[K`);
  };
  return {
    tick(n = 1) {
      done += n;
      draw(done >= options.total);
    },
    update(value) {
      done = value;
      draw(done >= options.total);
    },
    finish() {
      if (drawn) options.stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

/** The text of a bar: `label [#####-----]  45% 9/20 3.1 runs/s ETA 4s`, fitted to `width`. */
export function renderProgress(state: { label: string; done: number; total: number; elapsedMs: number; unit: string; width: number }): string {
  const { label, total, elapsedMs, unit, width } = state;
  const done = Math.min(state.done, total);
  const fraction = total > 0 ? done / total : 1;
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? (total - done) / rate : NaN;
  const tail = ` ${String(Math.floor(fraction * 100)).padStart(3)}% ${done}/${total} ${formatRate(rate)} ${unit}/s ETA ${formatDuration(eta)}`;
  const barWidth = Math.max(10, width - label.length - tail.length - 3);
  const filled = Math.round(fraction * barWidth);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${tail}`;
}

function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}

/** Seconds as `4s`, `1m05s`, `2h03m`; `?` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
