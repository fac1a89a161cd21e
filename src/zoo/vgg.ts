/**
 * VGG-11/13/16/19 with batch norm (Simonyan & Zisserman 2015; torchvision's `vgg*_bn` layout):
 * `features.N` is the conv-BN-ReLU / MaxPool stack, `classifier` the head. CIFAR style (the
 * default) ends in one Linear from the flattened last map; ImageNet style in torchvision's
 * Linear-ReLU-Dropout x2 + Linear (the Dropouts, identities at inference, are not emitted;
 * the indices classifier.0/3/6 are kept). torchvision's AdaptiveAvgPool2d(7) is not emitted
 * either: the first Linear takes C·(H/32)·(W/32) features, which equals torchvision at 224x224.
 */
import type { Model } from '../ir/graph.js';
import { checkCommon, NetBuilder, requireOption, scaleChannels, ZOO_OUTPUT, zooMetadata, type CommonOptions, type FeatureVector } from './layers.js';

/** The VGG depths and their layer configurations (channels, or 'M' for a 2x2 max-pool). */
export const VGG_CONFIGS = {
  11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
} as const satisfies Record<number, readonly (number | 'M')[]>;

/** 11, 13, 16 or 19. */
export type VggDepth = keyof typeof VGG_CONFIGS;

/** Options of `buildVgg`. */
export interface VggOptions extends CommonOptions {
  readonly depth: VggDepth;
  /** 'cifar' (default): one Linear; 'imagenet': the three-Linear 4096-4096 head (hidden width scaled by `width`). */
  readonly classifier?: 'cifar' | 'imagenet';
}

/**
 * Builds a VGG-BN. Defaults: CIFAR head, 10 classes, 3x32x32; with the ImageNet head, 1000
 * classes and 3x224x224.
 * @example buildVgg({ depth: 16, width: 0.5, classes: 100 })
 */
export function buildVgg(options: VggOptions): Model {
  const model = `vgg${options.depth}`;
  checkCommon(model, options);
  const imagenet = options.classifier === 'imagenet';
  const { width = 1, classes = imagenet ? 1000 : 10, input = imagenet ? [3, 224, 224] : [3, 32, 32], seed = 0 } = options;
  const config = VGG_CONFIGS[options.depth];
  const pools = config.filter((v) => v === 'M').length;
  requireOption(input[1] >= 2 ** pools && input[2] >= 2 ** pools, model, `input ${input.join('x')} is too small: ${pools} max-pools need height and width of at least ${2 ** pools}`);

  const net = new NetBuilder(model, seed);
  let x = net.input(input);
  config.forEach((v, i) => {
    // Indices follow nn.Sequential: each conv entry takes three slots (conv, BN, ReLU), a pool one.
    const index = config.slice(0, i).reduce((n, u) => n + (u === 'M' ? 1 : 3), 0);
    if (v === 'M') {
      x = net.maxPool(`features.${index}`, x, { kernel: 2, stride: 2 });
      return;
    }
    x = net.conv(`features.${index}`, x, { out: scaleChannels(v, width), kernel: 3, padding: 1, bias: true });
    x = net.batchNorm(`features.${index + 1}`, x);
    x = net.relu(`features.${index + 2}`, x);
  });
  let y: FeatureVector = net.flatten('flatten', x);
  if (imagenet) {
    const hidden = scaleChannels(4096, width);
    y = net.relu('classifier.1', net.linear('classifier.0', y, { out: hidden }));
    y = net.relu('classifier.4', net.linear('classifier.3', y, { out: hidden }));
    y = net.linear('classifier.6', y, { out: classes, output: ZOO_OUTPUT });
  } else {
    y = net.linear('classifier', y, { out: classes, output: ZOO_OUTPUT });
  }
  return net.finish(y, zooMetadata(model, seed));
}
