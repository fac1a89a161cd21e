/**
 * CIFAR ResNet-6n+2 (He et al. 2016, section 4.2): a 3x3 stem, three stages of n basic blocks
 * at 16/32/64 channels (stride 2 entering stages 2 and 3), global average pool, one Linear.
 * Shortcuts are option B (1x1 conv + BN where the shape changes), exactly as
 * test/fixtures/make_fixtures.py's CifarResNet, whose parameter names this reproduces
 * (`conv`, `bn`, `layers.K.conv1`, `layers.K.short.0`, `fc`).
 */
import type { Model } from '../ir/graph.js';
import { checkCommon, NetBuilder, scaleChannels, ZOO_OUTPUT, zooMetadata, type CommonOptions, type FeatureMap } from './layers.js';

/** The depths offered (6n+2 with n = 3, 5, 9, 18). */
export const CIFAR_RESNET_DEPTHS = [20, 32, 56, 110] as const;
/** 20, 32, 56 or 110. */
export type CifarResNetDepth = (typeof CIFAR_RESNET_DEPTHS)[number];

/** Options of `buildCifarResNet`. */
export interface CifarResNetOptions extends CommonOptions {
  readonly depth: CifarResNetDepth;
}

/**
 * Builds a CIFAR ResNet. Defaults: 10 classes, 3x32x32.
 * @example buildCifarResNet({ depth: 56, classes: 100 })
 */
export function buildCifarResNet(options: CifarResNetOptions): Model {
  const model = `resnet${options.depth}`;
  checkCommon(model, options);
  const { width = 1, classes = 10, input = [3, 32, 32], seed = 0 } = options;
  const blocksPerStage = (options.depth - 2) / 6;
  const base = scaleChannels(16, width);

  const net = new NetBuilder(model, seed);
  let x = net.input(input);
  x = net.relu('relu', net.batchNorm('bn', net.conv('conv', x, { out: base, kernel: 3, padding: 1, bias: false })));
  let block = 0;
  for (let stage = 0; stage < 3; stage++) {
    for (let j = 0; j < blocksPerStage; j++) {
      x = basicBlock(net, `layers.${block++}`, x, { out: base * 2 ** stage, stride: j === 0 && stage > 0 ? 2 : 1 });
    }
  }
  const pooled = net.flatten('flatten', net.globalAveragePool('pool', x));
  return net.finish(net.linear('fc', pooled, { out: classes, output: ZOO_OUTPUT }), zooMetadata(model, seed));
}

function basicBlock(net: NetBuilder, name: string, x: FeatureMap, options: { readonly out: number; readonly stride: number }): FeatureMap {
  const { out, stride } = options;
  let y = net.conv(`${name}.conv1`, x, { out, kernel: 3, stride, padding: 1, bias: false });
  y = net.relu(`${name}.relu1`, net.batchNorm(`${name}.bn1`, y));
  y = net.batchNorm(`${name}.bn2`, net.conv(`${name}.conv2`, y, { out, kernel: 3, padding: 1, bias: false }));
  const shortcut =
    stride !== 1 || x.channels !== out
      ? net.batchNorm(`${name}.short.1`, net.conv(`${name}.short.0`, x, { out, kernel: 1, stride, bias: false }))
      : x;
  return net.relu(`${name}.relu2`, net.add(`${name}.add`, y, shortcut));
}
