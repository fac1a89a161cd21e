/** Byte-level helpers shared by the dataset readers. */
import { gunzipSync } from 'fflate';
import { SculptError } from '../errors.js';

/** True when `bytes` start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Returns the bytes, gunzipped when they are gzip data; a corrupt stream is BAD_DATA naming `name`. */
export function gunzipIfCompressed(bytes: Uint8Array, name: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new SculptError('BAD_DATA', `'${name}' is not a valid gzip file (${error instanceof Error ? error.message : String(error)}); re-download or decompress it`, { cause: error });
  }
}
