/**
 * The Backend over onnxruntime-node (CPU). Sessions are created from in-memory bytes; tensors
 * are wrapped, not copied, on the way in and out.
 */
import * as ort from 'onnxruntime-node';
import { SculptError } from '../errors.js';
import type { DType, Tensor } from '../ir/tensor.js';
import type { Backend, Feeds, Session, SessionOptions } from './backend.js';

/** Converts a Sculpt tensor to an onnxruntime tensor over the same memory. */
export function toOrtTensor(t: Tensor): ort.Tensor {
  return new ort.Tensor(t.dtype, t.data as never, [...t.dims]);
}

/** Converts an onnxruntime tensor to a Sculpt tensor over the same memory. */
export function fromOrtTensor(t: ort.Tensor): Tensor {
  return { dtype: t.type as DType, dims: [...t.dims], data: t.data as Tensor['data'] };
}

/** onnxruntime session options from Sculpt's. */
export function ortSessionOptions(options: SessionOptions = {}): ort.InferenceSession.SessionOptions {
  const result: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: options.graphOptimization ?? 'all',
    enableMemPattern: options.memoryPattern ?? true,
    interOpNumThreads: options.interOpThreads ?? 1,
  };
  if (options.intraOpThreads !== undefined) result.intraOpNumThreads = options.intraOpThreads;
  return result;
}

class OrtNodeSession implements Session {
  constructor(private readonly session: ort.InferenceSession) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(feeds: Feeds, outputNames?: readonly string[]): Promise<Record<string, Tensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, value] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(value);
    let results: ort.InferenceSession.OnnxValueMapType;
    try {
      results = outputNames ? await this.session.run(ortFeeds, [...outputNames]) : await this.session.run(ortFeeds);
    } catch (error) {
      throw new SculptError('RUNTIME', `onnxruntime failed to run the model: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const out: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(results)) out[name] = fromOrtTensor(value as ort.Tensor);
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** onnxruntime-node on the CPU. */
export const onnxruntimeNode: Backend = {
  name: `onnxruntime-node ${ort.env.versions.node ?? ''}`.trim(),
  async createSession(modelBytes: Uint8Array, options?: SessionOptions): Promise<Session> {
    try {
      const session = await ort.InferenceSession.create(modelBytes, ortSessionOptions(options));
      return new OrtNodeSession(session);
    } catch (error) {
      throw new SculptError('RUNTIME', `onnxruntime could not load the model: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  },
};
