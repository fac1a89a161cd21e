/**
 * The one error type Sculpt throws on purpose. Every error carries a stable `code` so callers
 * (and the CLI's exit codes) can branch on the kind of failure without parsing messages.
 * Messages name the value, what was allowed, and what to do next.
 */
export type SculptErrorCode =
  | 'BAD_ARGUMENT' // an option or argument is invalid
  | 'BAD_MODEL' // the bytes are not a decodable ONNX model
  | 'INVALID_GRAPH' // structural problem: dangling input, cycle, duplicate output
  | 'UNSUPPORTED_OP' // an op without a rule
  | 'UNSUPPORTED_ATTRIBUTE' // an op attribute value Sculpt does not handle
  | 'SHAPE_MISMATCH' // shapes that cannot flow through an op
  | 'NOT_PRUNABLE' // a model or group with nothing to prune
  | 'BAD_DATA' // a dataset file that is missing, truncated or inconsistent
  | 'NUMERIC' // NaN/inf during training or scoring
  | 'RUNTIME' // onnxruntime refused or failed
  | 'SELF_TEST_FAILED' // a structural cut changed the function it must preserve
  | 'IO' // a file could not be read or written
  | 'INTERRUPTED';

export class SculptError extends Error {
  override readonly name = 'SculptError';
  readonly code: SculptErrorCode;

  constructor(code: SculptErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Throws a BAD_ARGUMENT SculptError unless `condition` holds; for checks at the public boundary. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new SculptError('BAD_ARGUMENT', message);
}

/** True when `error` is a SculptError (with any code, or the given one). */
export function isSculptError(error: unknown, code?: SculptErrorCode): error is SculptError {
  return error instanceof SculptError && (code === undefined || error.code === code);
}
