/**
 * onnxruntime-web in Node, offline: the wasm and its loader ship in
 * node_modules/onnxruntime-web/dist, and this adapter points onnxruntime-web at that folder
 * (as a file path — Node's fetch cannot read file: URLs). Threads work in Node (worker_threads).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createOnnxruntimeWeb, type WebBackend } from './onnxruntime-web.js';

/** The folder holding onnxruntime-web's .wasm and .mjs files, ending in '/'. */
export function onnxruntimeWebFolder(): string {
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'))}/`;
}

/**
 * onnxruntime-web (wasm, CPU) in Node with the files from node_modules.
 * @example const web = onnxruntimeWebNode({ threads: 1 });
 */
export function onnxruntimeWebNode(options: { readonly threads?: number } = {}): WebBackend {
  return createOnnxruntimeWeb({ ...options, wasmPaths: onnxruntimeWebFolder() });
}
