/**
 * U-Net (Ronneberger et al. 2015) as test/fixtures/make_fixtures.py's UNet, whose parameter
 * names this reproduces: `down.0..depth` double convs (3x3 conv-BN-ReLU x2, convs without
 * bias) with 2x2 max-pools between them, `up.0..` up-sampling to the skip's width, `dec.0..`
 * double convs on concat([skip, up]), and a 1x1 `head` conv with bias. Widths double per
 * level from `base`. Up-sampling is a 2x2 stride-2 ConvTranspose (`transpose`) or a x2 Resize
 * followed by a 1x1 conv (`resize`; nearest by default, bilinear with `resize: 'linear'`).
 */
import type { Model } from '../ir/graph.js';
import { checkCommon, NetBuilder, requireOption, scaleChannels, ZOO_OUTPUT, zooMetadata, type CommonOptions, type FeatureMap, type InputShape } from './layers.js';

/** Options of `buildUNet`. `classes` is the number of output channels; `input[0]` the input channels. */
export interface UNetOptions extends CommonOptions {
  /** Channels of the first level (default 64), before the width multiplier. */
  readonly base?: number;
  /** Number of down-sampling steps (default 4). */
  readonly depth?: number;
  /** Learned ConvTranspose up-sampling (default) or Resize + 1x1 conv. */
  readonly up?: 'transpose' | 'resize';
  /** Resize interpolation when `up` is 'resize' (default 'nearest'). */
  readonly resize?: 'nearest' | 'linear';
}

/** The input shape when none is given: one channel, 128x128. */
export const UNET_DEFAULT_INPUT: InputShape = [1, 128, 128];

/**
 * Builds a U-Net. Defaults: base 64, depth 4, ConvTranspose up-sampling, 2 classes, 1x128x128.
 * @example buildUNet({ base: 8, depth: 4, classes: 4, input: [1, 64, 64] })
 */
export function buildUNet(options: UNetOptions = {}): Model {
  const model = 'unet';
  checkCommon(model, options);
  const { width = 1, classes = 2, input = UNET_DEFAULT_INPUT, seed = 0, base = 64, depth = 4, up = 'transpose', resize = 'nearest' } = options;
  requireOption(Number.isInteger(base) && base > 0, model, `base must be a positive integer, got ${base}`);
  requireOption(Number.isInteger(depth) && depth >= 1, model, `depth must be a positive integer, got ${depth}`);
  const step = 2 ** depth;
  requireOption(input[1] % step === 0 && input[2] % step === 0, model, `input ${input.join('x')}: height and width must be multiples of 2^depth = ${step} (pick another input size or depth)`);
  const widths = Array.from({ length: depth + 1 }, (_, i) => scaleChannels(base, width) * 2 ** i);

  const net = new NetBuilder(model, seed);
  let x = net.input(input);
  const skips: FeatureMap[] = [];
  widths.forEach((w, i) => {
    if (i > 0) x = net.maxPool(`pool.${i}`, x, { kernel: 2, stride: 2 });
    x = doubleConv(net, `down.${i}`, x, w);
    skips.push(x);
  });
  x = skips.pop()!;
  for (let j = 0; j < depth; j++) {
    const skip = skips.pop()!;
    if (up === 'transpose') {
      x = net.convTranspose(`up.${j}`, x, { out: skip.channels, kernel: 2, stride: 2, bias: true });
    } else {
      x = net.conv(`up.${j}`, net.upsample(`up.${j}.resize`, x, { scale: 2, mode: resize }), { out: skip.channels, kernel: 1, bias: true });
    }
    x = doubleConv(net, `dec.${j}`, net.concat(`dec.${j}.concat`, [skip, x]), skip.channels);
  }
  return net.finish(net.conv('head', x, { out: classes, kernel: 1, bias: true, output: ZOO_OUTPUT }), zooMetadata(model, seed));
}

/** make_fixtures.py's `dc`: `.0` conv, `.1` BN, `.2` ReLU, `.3` conv, `.4` BN, `.5` ReLU. */
function doubleConv(net: NetBuilder, name: string, x: FeatureMap, out: number): FeatureMap {
  let y = net.relu(`${name}.2`, net.batchNorm(`${name}.1`, net.conv(`${name}.0`, x, { out, kernel: 3, padding: 1, bias: false })));
  y = net.relu(`${name}.5`, net.batchNorm(`${name}.4`, net.conv(`${name}.3`, y, { out, kernel: 3, padding: 1, bias: false })));
  return y;
}
