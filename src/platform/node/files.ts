/**
 * File-system adapters for Node: the only place (with the CLI) that touches `node:fs`.
 * Writes are atomic — a temporary file in the same folder, then a rename — so an interrupted
 * run never leaves a half-written output, and an existing file is replaced only when asked.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SculptError } from '../../errors.js';

/** Reads a whole file as an aligned Uint8Array (never a view into Node's shared buffer pool). */
export function readBytes(path: string): Uint8Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (error) {
    throw ioError(error, path, 'read');
  }
  // Small files come back as views into Node's shared pool: copy those. A large file owns its
  // buffer, and copying it would double the peak memory of loading a big model.
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return new Uint8Array(buf.buffer, 0, buf.byteLength);
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return copy;
}

/** Reads `length` bytes at `offset` (to the end when length is undefined). */
export function readRange(path: string, offset: number, length: number | undefined): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw ioError(error, path, 'read');
  }
  try {
    const size = statSync(path).size;
    const count = length ?? size - offset;
    if (offset + count > size) throw new SculptError('BAD_MODEL', `'${path}' has ${size} bytes; ${count} bytes at offset ${offset} were expected (truncated external data?)`);
    const out = new Uint8Array(count);
    let done = 0;
    while (done < count) done += readSync(fd, out, done, count - done, offset + done);
    return out;
  } finally {
    closeSync(fd);
  }
}

export interface WriteOptions {
  /** Replace an existing file (default false: an existing output is an error). */
  readonly force?: boolean;
  /** Paths that must never be written (the input model). */
  readonly protect?: readonly string[];
}

/** Writes bytes atomically: temporary file beside the target, then rename. */
export function writeAtomic(path: string, data: Uint8Array | string, options: WriteOptions = {}): void {
  const target = resolve(path);
  if (options.protect?.some((p) => resolve(p) === target)) {
    throw new SculptError('BAD_ARGUMENT', `refusing to overwrite the input file '${path}'; choose another output path`);
  }
  if (!options.force && existsSync(target)) {
    throw new SculptError('BAD_ARGUMENT', `'${path}' already exists; pass --force to replace it`);
  }
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw ioError(error, path, 'write');
  }
}

function ioError(error: unknown, path: string, action: 'read' | 'write'): SculptError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT' ? (action === 'read' ? 'no such file' : 'the folder does not exist') : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : error instanceof Error ? error.message : String(error);
  return new SculptError('IO', `cannot ${action} '${path}': ${reason}`, { cause: error });
}
