/**
 * The compression ladder: the parameter-compression factors a search tries, smallest first.
 * The default doubles from 2x to 2048x; `--ladder 2,4,8` (or `2x,4x,8x`) chooses others.
 * @example parseLadder('2x,16,1024') // [2, 16, 1024]
 */
import { SculptError } from '../errors.js';

/** 2x, 4x, ..., 2048x. */
export const DEFAULT_LADDER: readonly number[] = Array.from({ length: 11 }, (_, i) => 2 ** (i + 1));

/** Parses a comma-separated list of compression factors above 1, in ascending order without repeats. */
export function parseLadder(text: string, what = '--ladder'): number[] {
  const words = text.split(',').map((w) => w.trim());
  const factors = words.map((word) => {
    const match = /^(\d*\.?\d+)\s*x?$/i.exec(word);
    const value = match ? Number(match[1]) : NaN;
    if (!match || !Number.isFinite(value)) throw new SculptError('BAD_ARGUMENT', `${what} got '${word}' in '${text}'; allowed: compression factors such as 2,4,8 or 2x,4x,8x`);
    if (!(value > 1)) throw new SculptError('BAD_ARGUMENT', `${what} ${word}: a compression factor must be above 1 (1x is the unpruned model itself)`);
    return value;
  });
  for (let i = 1; i < factors.length; i++) {
    if (factors[i]! <= factors[i - 1]!) {
      throw new SculptError('BAD_ARGUMENT', `${what} ${text}: factors must be given once each, in ascending order (${factors[i - 1]} then ${factors[i]}); e.g. 2,4,8,16`);
    }
  }
  return factors;
}

/** `4x`, `1.5x`, `2048x`: a ladder factor as ids and labels show it. */
export function formatFactor(factor: number): string {
  return `${Number.isInteger(factor) ? factor : Number(factor.toPrecision(4))}x`;
}
