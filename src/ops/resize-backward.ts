/**
 * The gradient of Resize (and Upsample): nearest and linear resampling are separable linear maps,
 * one [out, in] interpolation matrix per resized axis, computed here as onnxruntime computes the
 * forward. dX is dY multiplied by each matrix's transpose. Nearest up-sampling by whole factors,
 * where every input pixel feeds one block, is an AveragePool times the block size instead
 * (measured fastest for the common 2x case).
 */
import { tensor, toNumbers } from '../ir/tensor.js';
import type { BackwardContext, BackwardRule } from './backward.js';

const f = Math.fround;

/** Where output position `j` samples the input, in input coordinates (ONNX coordinate_transformation_mode). */
function sourceCoordinate(ctx: BackwardContext, mode: string, j: number, inSize: number, outSize: number, scale: number): number {
  switch (mode) {
    case 'half_pixel':
      return f(f(f(j + 0.5) / scale) - 0.5);
    case 'pytorch_half_pixel':
      return outSize > 1 ? f(f(f(j + 0.5) / scale) - 0.5) : 0;
    case 'align_corners':
      return outSize === 1 ? 0 : f(f(j * (inSize - 1)) / (outSize - 1));
    case 'asymmetric':
      return f(j / scale);
    case 'half_pixel_symmetric': {
      const outFloat = f(inSize * scale);
      const adjustment = f(outSize / outFloat);
      const center = f(inSize / 2);
      const offset = f(center * f(1 - adjustment));
      return f(offset + f(f(f(j + 0.5) / scale) - 0.5));
    }
    default:
      return ctx.fail(`the gradient of coordinate_transformation_mode '${mode}' is not supported (half_pixel, pytorch_half_pixel, align_corners, asymmetric, half_pixel_symmetric)`);
  }
}

function nearestIndex(mode: string, x: number): number {
  switch (mode) {
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'round_prefer_ceil':
      return Math.round(x);
    default: {
      // round_prefer_floor: halves go down.
      const floor = Math.floor(x);
      return x - floor === 0.5 ? floor : Math.round(x);
    }
  }
}

/** The [out, in] matrix of one resized axis: row j holds the weights output j takes from each input. */
function interpolationMatrix(ctx: BackwardContext, inSize: number, outSize: number, scale: number): Float32Array {
  const coordinateMode = ctx.attrs.string('coordinate_transformation_mode');
  const mode = ctx.attrs.string('mode');
  const matrix = new Float32Array(outSize * inSize);
  for (let j = 0; j < outSize; j++) {
    const x = sourceCoordinate(ctx, coordinateMode, j, inSize, outSize, scale);
    if (mode === 'nearest') {
      const i = Math.min(Math.max(nearestIndex(ctx.attrs.string('nearest_mode'), x), 0), inSize - 1);
      matrix[j * inSize + i] = 1;
    } else if (mode === 'linear') {
      const clamped = Math.min(Math.max(x, 0), inSize - 1);
      const low = Math.min(Math.floor(clamped), inSize - 1);
      const high = Math.min(low + 1, inSize - 1);
      const weight = clamped - low;
      matrix[j * inSize + low]! += 1 - weight;
      matrix[j * inSize + high]! += weight;
    } else {
      return ctx.fail(`the gradient of mode '${mode}' is not supported (nearest, linear)`);
    }
  }
  return matrix;
}

/** The factor when the matrix sends each input to one contiguous block of `factor` outputs. */
function blockFactor(matrix: Float32Array, inSize: number, outSize: number): number | undefined {
  if (outSize % inSize !== 0) return undefined;
  const factor = outSize / inSize;
  for (let j = 0; j < outSize; j++) {
    for (let i = 0; i < inSize; i++) if (matrix[j * inSize + i] !== (i === Math.floor(j / factor) ? 1 : 0)) return undefined;
  }
  return factor;
}

/** The backward rule of a resampling op whose scales are input `scalesIndex` (sizes, when given, fix the scales as out/in). */
export function resizeBackward(scalesIndex: number): BackwardRule {
  return {
    differentiable: [0],
    emit: (ctx) => {
      const dy = ctx.outputGrads[0]!;
      const x = ctx.inputs[0]!;
      const y = ctx.outputs[0]!;
      const rank = x.shape.length;
      const axesAttribute = ctx.attrs.ints('axes');
      const axes = (axesAttribute ?? [...Array(rank).keys()]).map((a) => (a < 0 ? a + rank : a));
      const scalesValue = ctx.input(scalesIndex) ? ctx.constant(scalesIndex) : undefined;
      const scales = scalesValue && scalesValue.data.length > 0 ? toNumbers(scalesValue) : undefined;
      const resized: { axis: number; matrix: Float32Array; inSize: number; outSize: number }[] = [];
      axes.forEach((axis, k) => {
        const inDim = x.shape[axis];
        const outDim = y.shape[axis];
        if (typeof inDim !== 'number' || typeof outDim !== 'number') {
          if (inDim === outDim) return;
          return ctx.fail(`the gradient needs static sizes on resized axis ${axis}`);
        }
        const [inSize, outSize] = [inDim, outDim];
        const scale = scales ? scales[k]! : outSize / inSize;
        if (inSize === outSize && scale === 1) return;
        resized.push({ axis, inSize, outSize, matrix: interpolationMatrix(ctx, inSize, outSize, scale) });
      });
      if (resized.length === 0) return [dy];
      const factors = resized.map((r) => (r.axis >= 2 ? blockFactor(r.matrix, r.inSize, r.outSize) : undefined));
      if (factors.every((factor) => factor !== undefined)) {
        const kernel = new Array<number>(rank - 2).fill(1);
        resized.forEach((r, k) => (kernel[r.axis - 2] = factors[k]!));
        const pooled = ctx.op('AveragePool', [dy], { kernel_shape: kernel, strides: kernel });
        return [ctx.op('Mul', [pooled, ctx.scalar(kernel.reduce((a, b) => a * b, 1))])];
      }
      let grad = dy;
      for (const r of resized) grad = applyTransposed(ctx, grad, r.matrix, r.inSize, r.outSize, r.axis, rank);
      return [grad];
    },
  };
}

/** Multiplies `grad` along `axis` by the transpose of the [out, in] matrix. */
function applyTransposed(ctx: BackwardContext, grad: string, matrix: Float32Array, inSize: number, outSize: number, axis: number, rank: number): string {
  if (axis === rank - 1) return ctx.op('MatMul', [grad, ctx.constantTensor(tensor('float32', [outSize, inSize], matrix))]);
  const transposed = new Float32Array(inSize * outSize);
  for (let j = 0; j < outSize; j++) for (let i = 0; i < inSize; i++) transposed[i * outSize + j] = matrix[j * inSize + i]!;
  const matrixT = ctx.constantTensor(tensor('float32', [inSize, outSize], transposed));
  if (axis === rank - 2) return ctx.op('MatMul', [matrixT, grad]);
  const perm = [...Array(rank).keys()];
  perm[axis] = rank - 2;
  perm[rank - 2] = axis;
  const moved = ctx.op('Transpose', [grad], { perm });
  return ctx.op('Transpose', [ctx.op('MatMul', [matrixT, moved])], { perm });
}
