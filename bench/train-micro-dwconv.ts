// How fast is the NCHWc direct conv that computes dW (batch as channels, dY as a HxW filter) by itself?
import * as ort from 'onnxruntime-node';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
const r = new Random(0);
for (const [n, c, k, hw] of [[64, 16, 16, 32], [64, 32, 32, 16], [64, 64, 64, 8]] as const) {
  const g = new GraphBuilder('core');
  const xb = g.input('xb', 'float32', [c, n, hw, hw]); // already blocked over n
  const f = g.input('f', 'float32', [k, n, hw, hw]); // already OIHWBiBo
  g.output(g.op('Conv', [xb, f], { pads: attr.ints([1, 1, 1, 1]), kernel_shape: attr.ints([hw, hw]) }, { domain: 'com.microsoft.nchwc' }), 'float32');
  const s = await ort.InferenceSession.create(encodeModel(modelFromGraph(g.build(), { extraOpsets: [{ domain: 'com.microsoft.nchwc', version: 1 }] })), { intraOpNumThreads: 2, logSeverityLevel: 3 });
  const feeds = { xb: toOrtTensor(float32([c, n, hw, hw], r.fillNormal(new Float32Array(c * n * hw * hw), 1))), f: toOrtTensor(float32([k, n, hw, hw], r.fillNormal(new Float32Array(k * n * hw * hw), 1))) };
  const ts: number[] = [];
  for (let i = 0; i < 10; i++) { const t = performance.now(); await s.run(feeds); ts.push(performance.now() - t); }
  console.log(`dW conv core C=${c} K=${k} ${hw}x${hw}: min ${Math.min(...ts).toFixed(2)} ms; MACs ${(n * c * k * 9 * hw * hw / 1e6).toFixed(0)}M`);
}
