/**
 * The runtime boundary: Sculpt runs models through a Backend, so the same code can use
 * onnxruntime-node on Node and onnxruntime-web (WebAssembly) in Node or a browser. Tensors cross
 * it as plain Sculpt tensors (dtype, dims, typed array); adapters convert without copying data.
 */
import type { Tensor } from '../ir/tensor.js';

/** Options for one session; each names what honours it. */
export interface SessionOptions {
  /**
   * Threads inside one op. onnxruntime-node: intraOpNumThreads, per session (default: all cores).
   * onnxruntime-web: the process-wide wasm thread count (env.wasm.numThreads), fixed by the first
   * session the backend creates; asking for a different count later is an error.
   */
  readonly intraOpThreads?: number;
  /** Threads across independent ops. onnxruntime-node: interOpNumThreads (default 1). onnxruntime-web: ignored. */
  readonly interOpThreads?: number;
  /** onnxruntime graph optimisation level (both backends). Default 'all'. */
  readonly graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Let onnxruntime reuse memory patterns across runs (faster for fixed shapes; both backends). Default true. */
  readonly memoryPattern?: boolean;
}

export type Feeds = Readonly<Record<string, Tensor>>;

/** A loaded model, ready to run. */
export interface Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the model; returns the requested outputs (default: all). */
  run(feeds: Feeds, outputNames?: readonly string[]): Promise<Record<string, Tensor>>;
  /** Frees the native session. */
  release(): Promise<void>;
}

/** Something that can turn ONNX bytes into a Session. */
export interface Backend {
  /** For reports: 'onnxruntime-node 1.30.0', 'onnxruntime-web 1.30.0 (wasm, 2 threads)'. */
  readonly name: string;
  createSession(modelBytes: Uint8Array, options?: SessionOptions): Promise<Session>;
}
