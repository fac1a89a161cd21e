/**
 * The Backend over onnxruntime-web's WebAssembly CPU build. The module is imported on first use,
 * so programs that never ask for it do not load it. This file imports no Node built-ins: in a
 * browser pass `wasmPaths` as the URL folder that serves the .wasm/.mjs files; in Node use
 * `onnxruntimeWebNode()` (./onnxruntime-web-node.ts), which points it at node_modules.
 *
 * onnxruntime-web initialises its wasm module once per process (per page): the thread count and
 * file location are fixed by the first session. Threads need SharedArrayBuffer (Node: always; a
 * browser: cross-origin isolation); without it onnxruntime-web falls back to one thread, and the
 * backend's `threads` and `name` say so.
 */
import { SculptError } from '../errors.js';
import type { DType, Tensor } from '../ir/tensor.js';
import type { Backend, Feeds, Session, SessionOptions } from './backend.js';

type OrtWeb = typeof import('onnxruntime-web/wasm');
type OrtWebTensor = import('onnxruntime-web/wasm').Tensor;

/** Options for the onnxruntime-web backend. */
export interface OnnxruntimeWebOptions {
  /** Folder (path in Node, URL in a browser; ending in '/') holding onnxruntime-web's dist files. */
  readonly wasmPaths?: string;
  /** Wasm threads (env.wasm.numThreads) when no session asks for a count. Default 1. */
  readonly threads?: number;
}

/** A Backend with the thread count onnxruntime-web actually runs with (undefined before the first session). */
export interface WebBackend extends Backend {
  readonly threads: number | undefined;
}

// onnxruntime-web's env is one per process, so what it was initialised with is too.
let loaded: Promise<OrtWeb> | undefined;
let loadedVersion: string | undefined;
let initialised: { threads: number; requested: number; wasmPaths: string | undefined } | undefined;

function loadOrtWeb(): Promise<OrtWeb> {
  loaded ??= import('onnxruntime-web/wasm');
  return loaded;
}

/** Converts a Sculpt tensor to an onnxruntime-web tensor over the same memory. */
function toWebTensor(ort: OrtWeb, t: Tensor): OrtWebTensor {
  return new ort.Tensor(t.dtype, t.data as never, [...t.dims]);
}

function fromWebTensor(t: OrtWebTensor): Tensor {
  return { dtype: t.type as DType, dims: [...t.dims], data: t.data as Tensor['data'] };
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}

class OrtWebSession implements Session {
  constructor(
    private readonly ort: OrtWeb,
    private readonly session: import('onnxruntime-web/wasm').InferenceSession,
  ) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(feeds: Feeds, outputNames?: readonly string[]): Promise<Record<string, Tensor>> {
    const ortFeeds: Record<string, OrtWebTensor> = {};
    for (const [name, value] of Object.entries(feeds)) ortFeeds[name] = toWebTensor(this.ort, value);
    let results: Record<string, OrtWebTensor>;
    try {
      results = (outputNames ? await this.session.run(ortFeeds, [...outputNames]) : await this.session.run(ortFeeds)) as Record<string, OrtWebTensor>;
    } catch (error) {
      throw new SculptError('RUNTIME', `onnxruntime-web failed to run the model: ${describe(error)}`, { cause: error });
    }
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(results)) out[name] = fromWebTensor(value);
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * onnxruntime-web on the CPU through WebAssembly.
 * @example const web = createOnnxruntimeWeb({ wasmPaths: '/ort/', threads: 2 }); const s = await web.createSession(bytes);
 */
export function createOnnxruntimeWeb(options: OnnxruntimeWebOptions = {}): WebBackend {
  const defaultThreads = options.threads ?? 1;
  checkThreads(defaultThreads, 'threads');
  return {
    get name() {
      const threads = initialised ? `${initialised.threads} thread${initialised.threads === 1 ? '' : 's'}` : 'not initialised';
      return `onnxruntime-web${loadedVersion ? ` ${loadedVersion}` : ''} (wasm, ${threads})`;
    },
    get threads() {
      return initialised?.threads;
    },
    async createSession(modelBytes: Uint8Array, sessionOptions: SessionOptions = {}): Promise<Session> {
      const ort = await loadOrtWeb();
      loadedVersion = ort.env.versions.web;
      const requested = sessionOptions.intraOpThreads ?? defaultThreads;
      checkThreads(requested, 'intraOpThreads');
      if (!initialised) {
        if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
        ort.env.wasm.numThreads = requested;
        initialised = { threads: requested, requested, wasmPaths: options.wasmPaths };
      } else if (requested !== initialised.requested) {
        throw new SculptError(
          'BAD_ARGUMENT',
          `onnxruntime-web already runs with ${initialised.requested} wasm thread(s) in this process and cannot change to ${requested}; use one thread count per process`,
        );
      }
      let session: import('onnxruntime-web/wasm').InferenceSession;
      try {
        session = await ort.InferenceSession.create(modelBytes, {
          executionProviders: ['wasm'],
          graphOptimizationLevel: sessionOptions.graphOptimization ?? 'all',
          enableMemPattern: sessionOptions.memoryPattern ?? true,
        });
      } catch (error) {
        throw new SculptError('RUNTIME', `onnxruntime-web could not load the model: ${describe(error)}`, { cause: error });
      }
      // onnxruntime-web lowers numThreads to 1 when the environment has no wasm threads.
      initialised = { ...initialised, threads: ort.env.wasm.numThreads ?? initialised.threads };
      return new OrtWebSession(ort, session);
    },
  };
}

function checkThreads(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) throw new SculptError('BAD_ARGUMENT', `onnxruntime-web ${what} must be a positive integer, got ${value}`);
}
