/**
 * ImageNet ResNet-18/34/50 in torchvision's layout (v1.5: the stride sits on the bottleneck's
 * 3x3 conv): 7x7/2 stem, 3x3/2 max-pool, four stages `layer1..layer4` of basic (18, 34) or
 * bottleneck (50) blocks with `downsample.0/1` (1x1 conv + BN) shortcuts where the shape
 * changes, global average pool, `fc`.
 */
import type { Model } from '../ir/graph.js';
import { checkCommon, NetBuilder, scaleChannels, ZOO_OUTPUT, zooMetadata, type CommonOptions, type FeatureMap } from './layers.js';

/** Blocks per stage and block kind for each depth. */
export const RESNET_CONFIGS = {
  18: { blocks: [2, 2, 2, 2], bottleneck: false },
  34: { blocks: [3, 4, 6, 3], bottleneck: false },
  50: { blocks: [3, 4, 6, 3], bottleneck: true },
} as const;

/** 18, 34 or 50. */
export type ResNetDepth = keyof typeof RESNET_CONFIGS;

/** Options of `buildResNet`. */
export interface ResNetOptions extends CommonOptions {
  readonly depth: ResNetDepth;
}

/** Output channels of a bottleneck block relative to its inner width. */
const EXPANSION = 4;

/**
 * Builds an ImageNet ResNet. Defaults: 1000 classes, 3x224x224.
 * @example buildResNet({ depth: 18, classes: 10, input: [3, 64, 64] })
 */
export function buildResNet(options: ResNetOptions): Model {
  const model = `resnet${options.depth}`;
  checkCommon(model, options);
  const { width = 1, classes = 1000, input = [3, 224, 224], seed = 0 } = options;
  const { blocks, bottleneck } = RESNET_CONFIGS[options.depth];

  const net = new NetBuilder(model, seed);
  let x = net.input(input);
  x = net.conv('conv1', x, { out: scaleChannels(64, width), kernel: 7, stride: 2, padding: 3, bias: false });
  x = net.maxPool('maxpool', net.relu('relu', net.batchNorm('bn1', x)), { kernel: 3, stride: 2, padding: 1 });
  blocks.forEach((count, stage) => {
    const planes = scaleChannels(64 * 2 ** stage, width);
    for (let j = 0; j < count; j++) {
      const block = { planes, stride: j === 0 && stage > 0 ? 2 : 1 };
      const name = `layer${stage + 1}.${j}`;
      x = bottleneck ? bottleneckBlock(net, name, x, block) : basicBlock(net, name, x, block);
    }
  });
  const pooled = net.flatten('flatten', net.globalAveragePool('avgpool', x));
  return net.finish(net.linear('fc', pooled, { out: classes, output: ZOO_OUTPUT }), zooMetadata(model, seed));
}

interface BlockOptions {
  readonly planes: number;
  readonly stride: number;
}

function basicBlock(net: NetBuilder, name: string, x: FeatureMap, { planes, stride }: BlockOptions): FeatureMap {
  let y = net.conv(`${name}.conv1`, x, { out: planes, kernel: 3, stride, padding: 1, bias: false });
  y = net.relu(`${name}.relu1`, net.batchNorm(`${name}.bn1`, y));
  y = net.batchNorm(`${name}.bn2`, net.conv(`${name}.conv2`, y, { out: planes, kernel: 3, padding: 1, bias: false }));
  return net.relu(`${name}.relu2`, net.add(`${name}.add`, y, shortcut(net, name, x, planes, stride)));
}

function bottleneckBlock(net: NetBuilder, name: string, x: FeatureMap, { planes, stride }: BlockOptions): FeatureMap {
  let y = net.relu(`${name}.relu1`, net.batchNorm(`${name}.bn1`, net.conv(`${name}.conv1`, x, { out: planes, kernel: 1, bias: false })));
  y = net.conv(`${name}.conv2`, y, { out: planes, kernel: 3, stride, padding: 1, bias: false });
  y = net.relu(`${name}.relu2`, net.batchNorm(`${name}.bn2`, y));
  y = net.batchNorm(`${name}.bn3`, net.conv(`${name}.conv3`, y, { out: planes * EXPANSION, kernel: 1, bias: false }));
  return net.relu(`${name}.relu3`, net.add(`${name}.add`, y, shortcut(net, name, x, planes * EXPANSION, stride)));
}

/** The identity, or torchvision's `downsample` (1x1 conv + BN) when stride or width change. */
function shortcut(net: NetBuilder, name: string, x: FeatureMap, out: number, stride: number): FeatureMap {
  if (stride === 1 && x.channels === out) return x;
  return net.batchNorm(`${name}.downsample.1`, net.conv(`${name}.downsample.0`, x, { out, kernel: 1, stride, bias: false }));
}
