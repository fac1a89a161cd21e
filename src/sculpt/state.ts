/**
 * The resume state of a criteria search: the fingerprint of what was asked (input model, data,
 * method, budget, seed), the unpruned model's measures, and every finished candidate. The caller
 * writes it atomically after each candidate; a resumed search answers finished candidates from it
 * and trains only the rest. A state whose fingerprint differs is refused, so a different run never
 * resumes by mistake. Changing the criteria or the ladder between runs is allowed: candidates are
 * keyed by method and compression, and their measures do not depend on the criteria.
 */
import { SculptError } from '../errors.js';
import type { CandidateRecord, ModelMeasures, TrainingRecord } from './candidate.js';

/** The value of `format` in a state file. */
export const FIT_STATE_FORMAT = 'sculpt-fit-state';
/** The state-file version this Sculpt writes and reads. */
export const FIT_STATE_VERSION = 1;

/** What identifies a search: a resumed one must match on every field. */
export interface FitFingerprint {
  /** Hash of the input model's bytes (`hashBytes`). */
  readonly model: string;
  /** The dataset spec, as given. */
  readonly data: string;
  /** Method and its settings, e.g. 'channel:l1'. */
  readonly method: string;
  /** Per-candidate budget and training settings, e.g. '2ep batch 16 adam lr 0.001'. */
  readonly training: string;
  readonly seed: number;
}

/** The unpruned model's measures. */
export interface BaselineRecord extends ModelMeasures {
  /** True when the search trained it (the input was an untrained zoo model). */
  readonly trainedBySearch: boolean;
  readonly training?: TrainingRecord;
  /** The trained baseline's .onnx, relative to the output folder, when the search trained it. */
  readonly file?: string;
}

/** A search's resume state. */
export interface FitState {
  readonly format: typeof FIT_STATE_FORMAT;
  readonly version: typeof FIT_STATE_VERSION;
  readonly fingerprint: FitFingerprint;
  readonly baseline?: BaselineRecord;
  /** Finished candidates (trained, or made and timed), in the order they finished. */
  readonly candidates: readonly CandidateRecord[];
}

/** A fresh state for a fingerprint. */
export function emptyState(fingerprint: FitFingerprint): FitState {
  return { format: FIT_STATE_FORMAT, version: FIT_STATE_VERSION, fingerprint, candidates: [] };
}

/**
 * A 64-bit FNV-1a hash of bytes as 16 hex digits (two interleaved 32-bit lanes; not
 * cryptographic: it tells runs apart, it does not authenticate them).
 */
export function hashBytes(bytes: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193);
    b = Math.imul(b ^ bytes[i]! ^ (i & 0xff), 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Parses a state file's text, refusing anything that is not a state of this version. */
export function parseFitState(text: string, source: string): FitState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SculptError('BAD_DATA', `'${source}' is not JSON; it is not a sculpt fit state (delete it, or start over with --force)`);
  }
  const state = value as Partial<FitState> | null;
  if (!state || state.format !== FIT_STATE_FORMAT || state.version !== FIT_STATE_VERSION || !Array.isArray(state.candidates) || typeof state.fingerprint !== 'object') {
    throw new SculptError('BAD_DATA', `'${source}' is not a version-${FIT_STATE_VERSION} sculpt fit state; start over with --force`);
  }
  return state as FitState;
}

/** Refuses to resume a state written by a different search, naming what differs. */
export function checkResumable(state: FitState, fingerprint: FitFingerprint, source: string): void {
  const differences = (Object.keys(fingerprint) as (keyof FitFingerprint)[])
    .filter((key) => state.fingerprint[key] !== fingerprint[key])
    .map((key) => `${key} '${String(state.fingerprint[key])}' then, '${String(fingerprint[key])}' now`);
  if (differences.length > 0) {
    throw new SculptError(
      'BAD_ARGUMENT',
      `cannot resume: '${source}' was written by a different search (${differences.join('; ')}); rerun with the same model, data, method, budget and seed, or choose another --out-dir, or pass --force to start over`,
    );
  }
}
