/**
 * CIFAR ResNet-20 and VGG-11-BN (full width, 32x32 inputs) as ONNX graphs for the training
 * benchmark, matching bench/peers/torch_train.py layer for layer. (Stand-ins until the zoo's
 * buildZooModel lands.)
 */
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr, type Model } from '../src/ir/graph.js';
import { float32, type Tensor } from '../src/ir/tensor.js';
import { Random } from '../src/util/random.js';

function kaiming(random: Random, dims: number[]): Tensor {
  const fanIn = dims.slice(1).reduce((a, b) => a * b, 1);
  return float32(dims, random.fillNormal(new Float32Array(dims.reduce((a, b) => a * b, 1)), Math.sqrt(2 / fanIn)));
}

class Net {
  readonly g = new GraphBuilder('net');
  constructor(readonly random: Random) {}

  conv(x: string, name: string, cin: number, cout: number, k: number, stride: number, bias: boolean): string {
    const w = this.g.initializer(`${name}.weight`, kaiming(this.random, [cout, cin, k, k]));
    const inputs = [x, w];
    if (bias) inputs.push(this.g.initializer(`${name}.bias`, float32([cout], new Float32Array(cout))));
    const p = (k - 1) / 2;
    return this.g.op('Conv', inputs, { kernel_shape: attr.ints([k, k]), pads: attr.ints([p, p, p, p]), strides: attr.ints([stride, stride]) });
  }

  bn(x: string, name: string, c: number): string {
    const params = ['weight', 'bias', 'running_mean', 'running_var'].map((p) =>
      this.g.initializer(`${name}.${p}`, float32([c], new Float32Array(c).fill(p === 'weight' || p === 'running_var' ? 1 : 0))),
    );
    return this.g.op('BatchNormalization', [x, ...params], { epsilon: attr.float(1e-5), momentum: attr.float(0.9) });
  }

  relu(x: string): string {
    return this.g.op('Relu', [x]);
  }

  linear(x: string, name: string, cin: number, cout: number): string {
    const w = this.g.initializer(`${name}.weight`, kaiming(this.random, [cout, cin]));
    const b = this.g.initializer(`${name}.bias`, float32([cout], new Float32Array(cout)));
    return this.g.op('Gemm', [x, w, b], { transB: attr.int(1) });
  }

  model(output: string, classes: number): Model {
    this.g.output(output, 'float32', ['batch', classes]);
    return modelFromGraph(this.g.build());
  }
}

/** CIFAR ResNet-20 (He et al. 2016) with 1x1-conv shortcuts where the shape changes. */
export function resnet20(seed = 0): Model {
  const net = new Net(new Random(seed));
  const x = net.g.input('input', 'float32', ['batch', 3, 32, 32]);
  let h = net.relu(net.bn(net.conv(x, 'conv', 3, 16, 3, 1, false), 'bn', 16));
  let cin = 16;
  [16, 32, 64].forEach((width, stage) => {
    for (let block = 0; block < 3; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const name = `layer${stage + 1}.${block}`;
      let y = net.relu(net.bn(net.conv(h, `${name}.conv1`, cin, width, 3, stride, false), `${name}.bn1`, width));
      y = net.bn(net.conv(y, `${name}.conv2`, width, width, 3, 1, false), `${name}.bn2`, width);
      const shortcut = stride !== 1 || cin !== width ? net.bn(net.conv(h, `${name}.shortcut.0`, cin, width, 1, stride, false), `${name}.shortcut.1`, width) : h;
      h = net.relu(net.g.op('Add', [y, shortcut]));
      cin = width;
    }
  });
  h = net.g.op('Flatten', [net.g.op('GlobalAveragePool', [h])]);
  return net.model(net.linear(h, 'fc', 64, 10), 10);
}

/** VGG-11 with batch normalisation for 32x32 inputs: conv (with bias), BN, ReLU; a 512→10 classifier. */
export function vgg11(seed = 0): Model {
  const net = new Net(new Random(seed));
  let h = net.g.input('input', 'float32', ['batch', 3, 32, 32]);
  let cin = 3;
  let index = 0;
  for (const layer of [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'] as const) {
    if (layer === 'M') {
      h = net.g.op('MaxPool', [h], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
    } else {
      h = net.relu(net.bn(net.conv(h, `features.${index}`, cin, layer, 3, 1, true), `features.${index + 1}`, layer));
      cin = layer;
      index += 3;
    }
    if (layer === 'M') index += 1;
  }
  return net.model(net.linear(net.g.op('Flatten', [h]), 'classifier', 512, 10), 10);
}

export const TRAIN_MODELS = { resnet20, vgg11 } as const;
