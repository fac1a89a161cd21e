/**
 * MobileNetV2 (Sandler et al. 2018) in torchvision's layout: `features.0` stem (conv-BN-ReLU6,
 * stride 2), 17 inverted-residual blocks `features.1..17` (`conv.0` 1x1 expansion, `conv.1`
 * 3x3 depthwise, `conv.2` 1x1 projection + `conv.3` BN; no expansion in block 1), `features.18`
 * 1x1 conv to 1280, global average pool, `classifier.1` Linear (torchvision's Dropout at
 * classifier.0 is an identity at inference and is not emitted). ReLU6 is Clip(0, 6).
 */
import type { Model } from '../ir/graph.js';
import { checkCommon, NetBuilder, ZOO_OUTPUT, zooMetadata, type CommonOptions, type FeatureMap } from './layers.js';

/** torchvision's inverted-residual settings: expansion t, channels c, repeats n, first stride s. */
const SETTINGS = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
] as const;

/**
 * torchvision's `_make_divisible(v, 8)`: round to the nearest multiple of 8, at least 8, and
 * never more than 10% below `v`. The width multiplier goes through it, as in the paper's code.
 */
export function makeDivisible(value: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

/**
 * Builds a MobileNetV2. Defaults: width 1, 1000 classes, 3x224x224.
 * @example buildMobileNetV2({ width: 0.5, classes: 10, input: [3, 64, 64] })
 */
export function buildMobileNetV2(options: CommonOptions = {}): Model {
  const model = 'mobilenetv2';
  checkCommon(model, options);
  const { width = 1, classes = 1000, input = [3, 224, 224], seed = 0 } = options;

  const net = new NetBuilder(model, seed);
  let x = convBnRelu6(net, 'features.0', net.input(input), { out: makeDivisible(32 * width), kernel: 3, stride: 2 });
  let index = 1;
  for (const [t, c, n, s] of SETTINGS) {
    const out = makeDivisible(c * width);
    for (let i = 0; i < n; i++) x = invertedResidual(net, `features.${index++}`, x, { out, stride: i === 0 ? s : 1, expansion: t });
  }
  x = convBnRelu6(net, `features.${index}`, x, { out: makeDivisible(1280 * Math.max(1, width)), kernel: 1, stride: 1 });
  const pooled = net.flatten('flatten', net.globalAveragePool('pool', x));
  return net.finish(net.linear('classifier.1', pooled, { out: classes, output: ZOO_OUTPUT }), zooMetadata(model, seed));
}

/** torchvision's Conv2dNormActivation with ReLU6: `<name>.0` conv, `.1` BN, `.2` ReLU6. */
function convBnRelu6(net: NetBuilder, name: string, x: FeatureMap, options: { readonly out: number; readonly kernel: number; readonly stride: number; readonly groups?: number }): FeatureMap {
  const { out, kernel, stride, groups = 1 } = options;
  const y = net.conv(`${name}.0`, x, { out, kernel, stride, padding: (kernel - 1) / 2, groups, bias: false });
  return net.relu6(`${name}.2`, net.batchNorm(`${name}.1`, y));
}

function invertedResidual(net: NetBuilder, name: string, x: FeatureMap, options: { readonly out: number; readonly stride: number; readonly expansion: number }): FeatureMap {
  const { out, stride, expansion } = options;
  const hidden = Math.round(x.channels * expansion);
  let y = x;
  let slot = 0;
  if (expansion !== 1) y = convBnRelu6(net, `${name}.conv.${slot++}`, y, { out: hidden, kernel: 1, stride: 1 });
  y = convBnRelu6(net, `${name}.conv.${slot++}`, y, { out: hidden, kernel: 3, stride, groups: hidden });
  y = net.conv(`${name}.conv.${slot++}`, y, { out, kernel: 1, bias: false });
  y = net.batchNorm(`${name}.conv.${slot}`, y);
  return stride === 1 && x.channels === out ? net.add(`${name}.add`, x, y) : y;
}
