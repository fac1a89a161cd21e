/**
 * Detects the runtime-specific kernels a backend offers to derived graphs, by running a tiny
 * probe model through the Backend interface (so it works for any backend: one without the ops
 * simply reports none).
 */
import { GraphBuilder, modelFromGraph } from '../ir/builder.js';
import { float32 } from '../ir/tensor.js';
import { encodeModel } from '../onnx/encode.js';
import { NCHWC_DOMAIN, type KernelTarget } from '../ops/backward.js';
import type { Backend } from '../runtime/backend.js';

/**
 * The kernels `backend` offers: onnxruntime's NCHWc block size when its 'com.microsoft.nchwc'
 * ops are registered (ReorderInput pads 4 channels, the fewest it takes, up to a block).
 * @example const kernels = await detectKernels(onnxruntimeNode); buildTrainingGraph(model, { ...options, kernels });
 */
export async function detectKernels(backend: Backend): Promise<KernelTarget> {
  const g = new GraphBuilder('probe');
  const x = g.input('x', 'float32', [1, 4, 1, 1]);
  g.output(g.op('ReorderInput', [x], {}, { domain: NCHWC_DOMAIN }), 'float32');
  try {
    const session = await backend.createSession(encodeModel(modelFromGraph(g.build(), { extraOpsets: [{ domain: NCHWC_DOMAIN, version: 1 }] })));
    try {
      const out = await session.run({ x: float32([1, 4, 1, 1], [1, 2, 3, 4]) });
      const block = Object.values(out)[0]?.dims[1];
      return block && block >= 4 ? { nchwcBlockSize: block } : {};
    } finally {
      await session.release();
    }
  } catch {
    return {};
  }
}
