// Shared timing for the train-micro-*.ts probes: one onnxruntime session over a small graph,
// a few warm-up runs, then the fastest (or median) of the timed runs and one output to check.
import * as ort from 'onnxruntime-node';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { encodeModel } from '../src/onnx/encode.js';

export interface MicroTiming {
  readonly ms: number;
  /** The first output of the last run (or the last output, with `output: 'last'`). */
  readonly out: Float32Array;
}

export interface MicroOptions {
  readonly threads: number;
  /** Timed runs after two warm-up runs. */
  readonly reps?: number;
  readonly statistic?: 'min' | 'median';
  readonly output?: 'first' | 'last';
  /** Full graph optimisation (the default is onnxruntime's default level). */
  readonly optimizeAll?: boolean;
}

type Model = ReturnType<typeof modelFromGraph>;

/** Times a graph (built with the com.microsoft.nchwc opset imported) or a model. */
export async function timeGraph(graph: GraphBuilder | Model, feeds: Record<string, ort.Tensor>, options: MicroOptions): Promise<MicroTiming> {
  const model = graph instanceof GraphBuilder ? modelFromGraph(graph.build(), { extraOpsets: [{ domain: 'com.microsoft.nchwc', version: 1 }] }) : graph;
  const session = await ort.InferenceSession.create(encodeModel(model), {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    logSeverityLevel: 3,
    ...(options.optimizeAll ? { graphOptimizationLevel: 'all' as const } : {}),
  });
  const reps = options.reps ?? 12;
  const times: number[] = [];
  let out: Float32Array = new Float32Array();
  for (let i = 0; i < reps + 2; i++) {
    const start = performance.now();
    const result = Object.values(await session.run(feeds));
    if (i >= 2) times.push(performance.now() - start);
    out = (options.output === 'last' ? result.at(-1) : result[0])!.data as Float32Array;
  }
  await session.release();
  times.sort((a, b) => a - b);
  return { ms: options.statistic === 'median' ? times[times.length >> 1]! : times[0]!, out };
}
