/**
 * The CLI's exit codes. Scripts can rely on these; README.md documents them.
 *   0  success
 *   1  runtime failure: onnxruntime failed, NaN/inf, a failed self-test, or an internal error
 *   2  usage: a bad argument or option, or an output that exists without --force
 *   3  bad model or data: undecodable, invalid graph, unsupported op/attribute, shapes that do not fit
 *   4  a file could not be read or written
 *   5  the stated criteria could not be met (sculpt fit)
 *   130 interrupted (Ctrl-C)
 */
import type { SculptErrorCode } from '../index.js';

export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  BAD_INPUT: 3,
  IO: 4,
  CRITERIA_NOT_MET: 5,
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Exit code for each error code; `satisfies` makes a new error code a compile error here until mapped. */
const BY_ERROR_CODE = {
  BAD_ARGUMENT: EXIT.USAGE,
  BAD_MODEL: EXIT.BAD_INPUT,
  INVALID_GRAPH: EXIT.BAD_INPUT,
  UNSUPPORTED_OP: EXIT.BAD_INPUT,
  UNSUPPORTED_ATTRIBUTE: EXIT.BAD_INPUT,
  SHAPE_MISMATCH: EXIT.BAD_INPUT,
  NOT_PRUNABLE: EXIT.BAD_INPUT,
  BAD_DATA: EXIT.BAD_INPUT,
  NUMERIC: EXIT.FAILURE,
  RUNTIME: EXIT.FAILURE,
  SELF_TEST_FAILED: EXIT.FAILURE,
  IO: EXIT.IO,
  INTERRUPTED: EXIT.INTERRUPTED,
} as const satisfies Record<SculptErrorCode, ExitCode>;

/** The exit code for a SculptError code. */
export function exitCodeFor(code: SculptErrorCode): ExitCode {
  return BY_ERROR_CODE[code];
}
