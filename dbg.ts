import { inferModel } from './src/ops/infer.js';
import { resnet20 } from './bench/train-models.js';
const m = resnet20();
const t = inferModel(m, { inputShapes: { input: [64, 3, 32, 32] } });
for (const n of t.order) if (n.opType === 'Conv') { const x = t.types.get(n.inputs[0]!)!.shape; const y = t.types.get(n.outputs[0]!)!.shape; const k = t.types.get(n.inputs[1]!)!.shape; const P = (y[2] as number) * (y[3] as number); const C = x[1] as number, K = y[1] as number; const kk = (k[2] as number) * (k[3] as number); console.log(n.name, x.join('x'), '->', y.join('x'), 'k', kk, kk * C * K > P * (C + K) ? 'shifted' : 'batched'); }
