import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { isSculptError } from '../src/errors.js';
import type { Model } from '../src/ir/graph.js';
import { sizeOf, type Tensor } from '../src/ir/tensor.js';
import { decodeModel } from '../src/onnx/decode.js';
import { encodeModel } from '../src/onnx/encode.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel, ruleFor } from '../src/ops/infer.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { buildZooModel, formatZooSpec, listZooModels, parseZooSpec } from '../src/zoo/index.js';
import { NetBuilder } from '../src/zoo/layers.js';
import { loadFixture, type FixtureName } from './helpers/fixtures.js';
import { relativeError } from './helpers/numeric.js';

// PyTorch's counts for the same architectures: bench/peers/zoo_reference.py (torchvision models
// and make_fixtures.py's CifarResNet/UNet/vgg), with MACs by the fixtures' counting hook at
// `input` and `names` = sha256 of the sorted `name:dims` lines of the trainable parameters.
const PYTORCH_REFERENCE = [
  { spec: 'resnet20', params: 272_474, macs: 40_813_184, names: 'b849e5c94bb2b65b' },
  { spec: 'resnet32', params: 466_906, macs: 69_124_736, names: 'ec969985510238a2' },
  { spec: 'resnet56', params: 855_770, macs: 125_747_840, names: '37a36b40461cd04f' },
  { spec: 'resnet110', params: 1_730_714, macs: 253_149_824, names: '552362d6c01bbd7b' },
  { spec: 'resnet20,width=2,classes=100', params: 1_096_196, macs: 162_378_240, names: '1d311dd68a0ff13f' },
  { spec: 'vgg11', params: 9_231_114, macs: 152_769_536, names: 'ab40f68716b8052a' },
  { spec: 'vgg13,width=0.5', params: 2_357_930, macs: 57_510_400, names: '84a68ca9cd5f4f9d' },
  { spec: 'vgg16', params: 14_728_266, macs: 313_201_664, names: 'eb64b6171806dc72' },
  { spec: 'vgg19,width=0.5,classes=100', params: 5_039_108, macs: 100_000_768, names: '1906cc172410aa99' },
  { spec: 'vgg11,width=0.25', params: 579_786, macs: 9_880_832, names: 'f684c82306b9c97c' },
  { spec: 'vgg16,classifier=imagenet,width=0.25,classes=10,input=3x64x64', params: 2_508_058, macs: 81_209_344, names: '69f639c0f4c4cf98' },
  { spec: 'resnet18', params: 11_689_512, macs: 1_814_073_344, names: 'f5c53e76a011e9cc' },
  { spec: 'resnet34', params: 21_797_672, macs: 3_663_761_408, names: '584f494a3281025e' },
  { spec: 'resnet50', params: 25_557_032, macs: 4_089_184_256, names: '42c66c139fff5236' },
  { spec: 'mobilenetv2', params: 3_504_872, macs: 300_774_272, names: '4290bfb8b03f16f3' },
  { spec: 'mobilenetv2,width=0.5,classes=10,input=3x64x64', params: 700_490, macs: 7_837_440, names: '62c32b5058d046bf' },
  { spec: 'mobilenetv2,width=1.4', params: 6_108_776, macs: 582_195_824, names: 'cd79381ca7c8f9a4' },
  { spec: 'unet,in=1,out=2,input=1x64x64', params: 31_036_546, macs: 3_006_005_248, names: '47a0df8ae63ebbca' },
  { spec: 'unet,base=8,depth=4,in=1,out=4,input=64x64', params: 486_436, macs: 47_349_760, names: 'f6c5032e8b8fe5ee' },
  { spec: 'unet,base=8,depth=3,up=resize,in=3,out=5,input=32x32', params: 113_149, macs: 9_207_808, names: '758686af421cd062' },
] as const;

// One small configuration of every zoo model, run in onnxruntime (odd sizes and channel counts on purpose).
const RUN_SPECS = [
  'vgg11,width=0.25',
  'vgg13,width=0.125,classes=7,input=1x32x32',
  'vgg16,width=0.125,classifier=imagenet,classes=10,input=3x64x64',
  'vgg19,width=0.125,input=3x32x64',
  'resnet20',
  'resnet32,width=0.5,classes=3',
  'resnet56,width=0.25,input=3x24x24',
  'resnet110,width=0.25',
  'resnet18,width=0.25,classes=10,input=3x64x64',
  'resnet34,width=0.25,classes=10,input=3x32x32',
  'resnet50,width=0.25,classes=10,input=3x48x64',
  'mobilenetv2,width=0.5,classes=10,input=3x64x64',
  'mobilenetv2,width=0.35,classes=5,input=3x40x40',
  'unet,base=8,depth=4,in=1,out=4,input=64x64',
  'unet,base=4,depth=3,up=resize,in=3,out=5,input=32x48',
  'unet,base=4,depth=2,up=resize,resize=linear,in=2,out=3,input=16x16',
] as const;

/** Trainable parameters (the inputs each node's rule declares as parameters), by name. */
function parameters(model: Model): Map<string, Tensor> {
  const result = new Map<string, Tensor>();
  for (const node of model.graph.nodes) {
    for (const index of ruleFor(node).parameterInputs) {
      const name = node.inputs[index];
      const value = name ? model.graph.initializers.get(name) : undefined;
      if (name && value) result.set(name, value);
    }
  }
  return result;
}

function nameSignature(model: Model): string {
  const lines = [...parameters(model)].map(([name, t]) => `${name}:${t.dims.join('x')}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

function costOf(model: Model): { params: number; macs: number } {
  return totalCost(layerCosts(inferModel(model)));
}

function inputDims(model: Model, batch: number): number[] {
  const shape = model.graph.inputs[0]!.shape!;
  return [batch, ...shape.slice(1).map(Number)];
}

function normalInput(dims: readonly number[], seed: number): Float32Array {
  // A deterministic, non-constant input (a fixed-frequency pattern) so outputs depend on it.
  return Float32Array.from({ length: sizeOf(dims) }, (_, i) => Math.sin(i * 0.37 + seed) * 1.5);
}

async function run(model: Model, input: Float32Array, dims: readonly number[]): Promise<Tensor> {
  const session = await onnxruntimeNode.createSession(encodeModel(model), { intraOpThreads: 1 });
  try {
    const out = await session.run({ input: { dtype: 'float32', dims, data: input } });
    return out['output']!;
  } finally {
    await session.release();
  }
}

function throwsBadArgument(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isSculptError(error, 'BAD_ARGUMENT'), `expected a BAD_ARGUMENT SculptError, got ${String(error)}`);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `message '${error.message}' lacks '${fragment}'`);
    assert.ok(!error.message.includes('\n'), 'messages are one line');
    return true;
  });
}

describe('zoo models match PyTorch', () => {
  for (const reference of PYTORCH_REFERENCE) {
    it(`${reference.spec} has PyTorch's parameter count, MACs and parameter names`, () => {
      const model = buildZooModel(reference.spec);
      assert.deepEqual(costOf(model), { params: reference.params, macs: reference.macs });
      assert.equal(nameSignature(model), reference.names);
    });
  }

  it('names initialisers like PyTorch parameter paths', () => {
    const names = [...parameters(buildZooModel('mobilenetv2,width=0.5,classes=10,input=3x64x64')).keys()];
    assert.ok(names.includes('features.3.conv.0.0.weight'));
    assert.ok(names.includes('features.1.conv.1.weight'));
    assert.ok(names.includes('classifier.1.weight'));
    assert.ok(buildZooModel('resnet20').graph.initializers.has('layers.0.conv1.weight'));
    assert.ok(buildZooModel('resnet18,width=0.25').graph.initializers.has('layer2.0.downsample.0.weight'));
  });
});

// The fixtures' own weights loaded into the zoo's graphs must reproduce PyTorch's outputs: the
// zoo builds the same function, not only the same counts. VGG's fixture is an nn.Sequential
// (`N.weight`); the zoo names its layers `features.N` and `classifier`.
const FIXTURE_SPECS: readonly { fixture: FixtureName; spec: string; rename?: (name: string) => string }[] = [
  { fixture: 'resnet20', spec: 'resnet20' },
  {
    fixture: 'vgg11-quarter',
    spec: 'vgg11,width=0.25',
    rename: (name) => (name.startsWith('30.') ? name.replace('30.', 'classifier.') : `features.${name}`),
  },
  { fixture: 'mobilenetv2-0.5', spec: 'mobilenetv2,width=0.5,classes=10,input=3x64x64' },
  { fixture: 'unet8', spec: 'unet,base=8,depth=4,in=1,out=4,input=64x64' },
];

/** Every tensor the fixture's model.onnx names: initialisers and Identity-shared copies. */
function fixtureTensors(model: Model): Map<string, Tensor> {
  const tensors = new Map(model.graph.initializers);
  for (const node of model.graph.nodes) {
    const source = node.opType === 'Identity' ? tensors.get(node.inputs[0]!) : undefined;
    if (source) tensors.set(node.outputs[0]!, source);
  }
  return tensors;
}

describe('zoo architectures equal the PyTorch fixtures', () => {
  for (const { fixture: fixtureName, spec, rename = (n: string) => n } of FIXTURE_SPECS) {
    const fixture = loadFixture(fixtureName);
    it(`${spec} has exactly ${fixtureName}'s parameters and MACs`, () => {
      const model = buildZooModel(spec);
      assert.deepEqual(costOf(model), { params: fixture.meta.params, macs: fixture.meta.macs_per_sample });
      assert.deepEqual(model.graph.inputs[0]!.shape!.slice(1), fixture.meta.input_shape.slice(1));
    });

    it(`${spec} with ${fixtureName}'s weights reproduces PyTorch's output within 1e-4`, async () => {
      const zoo = buildZooModel(spec);
      const source = fixtureTensors(decodeModel(fixture.modelBytes()));
      const initializers = new Map(zoo.graph.initializers);
      const gradNames = fixture.gradNames();
      // Every PyTorch parameter (and BN running statistic) has a zoo initialiser of its shape.
      const stateNames = [...source.keys()].filter((n) => /\.(weight|bias|running_mean|running_var)$/.test(n));
      assert.equal(new Set(gradNames.map(rename)).size, parameters(zoo).size);
      for (const name of stateNames) {
        const target = rename(name);
        const value = source.get(name)!;
        assert.deepEqual(initializers.get(target)?.dims, value.dims, `zoo initialiser ${target}`);
        initializers.set(target, value);
      }
      for (const name of gradNames) assert.ok(initializers.has(rename(name)), `zoo lacks ${rename(name)}`);
      const model = { ...zoo, graph: { ...zoo.graph, initializers } };
      const y = await run(model, fixture.input(), fixture.meta.input_shape);
      const error = relativeError(y.data as Float32Array, fixture.outputEval());
      assert.ok(error < 1e-4, `relative error ${error}`);
    });
  }
});

describe('every zoo model runs in onnxruntime', () => {
  for (const spec of RUN_SPECS) {
    it(`${spec} validates and runs at batch 1 and 2 with the inferred output shape`, async () => {
      const model = buildZooModel(spec, { seed: 3 });
      const typed = inferModel(model, { inputShapes: { input: inputDims(model, 2) } });
      const expected = typed.types.get('output')!.shape;
      const single = inputDims(model, 1);
      const pair = inputDims(model, 2);
      const x = normalInput(pair, 1);
      const y1 = await run(model, x.subarray(0, sizeOf(single)), single);
      const y2 = await run(model, x, pair);
      assert.deepEqual(y2.dims, expected);
      assert.deepEqual(y1.dims, [1, ...expected.slice(1)]);
      const a = y2.data as Float32Array;
      assert.ok(a.every(Number.isFinite), 'outputs are finite');
      // The batch rows are independent (BN in inference form): row 0 of the pair equals the single run.
      assert.ok(relativeError(a.subarray(0, y1.data.length), y1.data as Float32Array) < 1e-5);
      const half = a.length / 2;
      assert.ok(relativeError(a.subarray(0, half), a.subarray(half)) > 1e-3, 'different inputs give different outputs');
    });
  }
});

describe('U-Net up-sampling', () => {
  // F.interpolate(x, scale_factor=2, mode=...) of [[1, 2, 4], [8, 16, 32]] in PyTorch 1.13.
  const pytorch = {
    nearest: [1, 1, 2, 2, 4, 4, 1, 1, 2, 2, 4, 4, 8, 8, 16, 16, 32, 32, 8, 8, 16, 16, 32, 32],
    linear: [
      1, 1.25, 1.75, 2.5, 3.5, 4, 2.75, 3.4375, 4.8125, 6.875, 9.625, 11, 6.25, 7.8125, 10.9375, 15.625, 21.875, 25, 8, 10, 14, 20, 28, 32,
    ],
  };
  for (const mode of ['nearest', 'linear'] as const) {
    it(`resizes x2 like F.interpolate(mode='${mode === 'linear' ? 'bilinear' : 'nearest'}')`, async () => {
      const net = new NetBuilder('resize', 0);
      const y = net.upsample('up', net.input([1, 2, 3]), { scale: 2, mode, output: 'output' });
      const out = await run(net.finish(y, {}), Float32Array.from([1, 2, 4, 8, 16, 32]), [1, 1, 2, 3]);
      assert.deepEqual(out.dims, [1, 1, 4, 6]);
      assert.deepEqual(Array.from(out.data as Float32Array), pytorch[mode]);
    });
  }
});

describe('zoo initialisation', () => {
  it('gives identical weights for the same seed and different weights for another', () => {
    const a = buildZooModel('resnet20', { seed: 7 });
    const b = buildZooModel('resnet20', { seed: 7 });
    const c = buildZooModel('resnet20', { seed: 8 });
    assert.deepEqual(a.graph.initializers, b.graph.initializers);
    const w = (m: Model): Float32Array => m.graph.initializers.get('layers.4.conv1.weight')!.data as Float32Array;
    assert.ok(w(a).some((v, i) => v !== w(c)[i]));
    assert.deepEqual(buildZooModel('resnet20,seed=7').graph.initializers, a.graph.initializers, 'seed= in the spec is the same seed');
  });

  it("draws weights as kaiming_normal_(nonlinearity='relu'): mean 0, std sqrt(2 / fan_in)", () => {
    const resnet = buildZooModel('resnet20', { seed: 11 }).graph.initializers;
    const unet = buildZooModel('unet,base=8,depth=4', { seed: 11 }).graph.initializers;
    const cases = [
      { tensor: resnet.get('layers.8.conv2.weight')!, fanIn: 64 * 9 },
      { tensor: resnet.get('layers.3.short.0.weight')!, fanIn: 16 },
      { tensor: unet.get('up.0.weight')!, fanIn: 64 * 4 }, // ConvTranspose [in, out, k, k]: fan_in = out·k·k, as PyTorch
      { tensor: unet.get('down.4.3.weight')!, fanIn: 128 * 9 },
    ];
    for (const { tensor, fanIn } of cases) {
      const data = tensor.data as Float32Array;
      const n = data.length;
      const mean = data.reduce((s, v) => s + v, 0) / n;
      const std = Math.sqrt(data.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
      const expected = Math.sqrt(2 / fanIn);
      // Standard errors: mean std/sqrt(n), std about std/sqrt(2n); allow 5 of them.
      assert.ok(Math.abs(mean) < (5 * expected) / Math.sqrt(n), `mean ${mean}`);
      assert.ok(Math.abs(std / expected - 1) < 5 / Math.sqrt(2 * n), `std ${std} vs ${expected} (n=${n})`);
    }
  });

  it('starts biases at 0 and batch norm at scale 1, bias 0, mean 0, variance 1', () => {
    const init = buildZooModel('vgg11,width=0.25').graph.initializers;
    const values = (name: string): number[] => Array.from(init.get(name)!.data as Float32Array);
    assert.ok(values('features.0.bias').every((v) => v === 0));
    assert.ok(values('classifier.bias').every((v) => v === 0));
    assert.ok(values('features.1.weight').every((v) => v === 1));
    assert.ok(values('features.1.bias').every((v) => v === 0));
    assert.ok(values('features.1.running_mean').every((v) => v === 0));
    assert.ok(values('features.1.running_var').every((v) => v === 1));
  });

  it('declares input [batch, C, H, W] and output [batch, classes] or [batch, out, H, W]', () => {
    const vgg = buildZooModel('vgg16,classes=100,input=3x64x64').graph;
    assert.deepEqual(vgg.inputs, [{ name: 'input', dtype: 'float32', shape: ['batch', 3, 64, 64] }]);
    assert.deepEqual(vgg.outputs, [{ name: 'output', dtype: 'float32', shape: ['batch', 100] }]);
    const unet = buildZooModel('unet,base=4,in=2,out=3,input=32x48').graph;
    assert.deepEqual(unet.inputs[0]!.shape, ['batch', 2, 32, 48]);
    assert.deepEqual(unet.outputs[0]!.shape, ['batch', 3, 32, 48]);
  });

  it('uses the documented defaults', () => {
    const shapes = (spec: string): unknown => {
      const g = buildZooModel(spec).graph;
      return [g.inputs[0]!.shape, g.outputs[0]!.shape];
    };
    assert.deepEqual(shapes('resnet20'), [['batch', 3, 32, 32], ['batch', 10]]);
    assert.deepEqual(shapes('vgg11,width=0.125,classifier=imagenet'), [['batch', 3, 224, 224], ['batch', 1000]]);
    assert.deepEqual(shapes('mobilenetv2,width=0.25'), [['batch', 3, 224, 224], ['batch', 1000]]);
    assert.deepEqual(shapes('unet,base=4'), [['batch', 1, 128, 128], ['batch', 2, 128, 128]]);
  });

  it('records the canonical spec and seed in the model metadata', () => {
    const model = buildZooModel('VGG16, classes=100 ,width=0.125', { seed: 4 });
    assert.deepEqual(model.metadata, [
      { key: 'sculpt.zoo', value: 'vgg16,width=0.125,classes=100' },
      { key: 'sculpt.seed', value: '4' },
    ]);
  });
});

describe('zoo specs', () => {
  it('parses names, numbers, choices and shapes, with or without zoo:', () => {
    assert.deepEqual(parseZooSpec('zoo:unet,base=64,depth=4,up=resize,in=1,out=4'), {
      name: 'unet',
      options: { base: 64, depth: 4, up: 'resize', in: 1, out: 4 },
    });
    assert.deepEqual(parseZooSpec('vgg16,width=0.5,classes=100,input=3x64x64').options, { width: 0.5, classes: 100, input: [3, 64, 64] });
    assert.equal(formatZooSpec(parseZooSpec('vgg16,input=3x64x64,width=.5')), 'vgg16,width=0.5,input=3x64x64');
  });

  it('lists every model with a description, a width multiplier and a class count', () => {
    const models = listZooModels();
    assert.deepEqual(
      models.map((m) => m.name),
      ['vgg11', 'vgg13', 'vgg16', 'vgg19', 'resnet20', 'resnet32', 'resnet56', 'resnet110', 'resnet18', 'resnet34', 'resnet50', 'mobilenetv2', 'unet'],
    );
    for (const model of models) {
      assert.ok(model.description.length > 10 && !model.description.includes('\n'));
      const keys = model.options.map((o) => o.key);
      for (const key of ['width', 'classes', 'input', 'seed']) assert.ok(keys.includes(key), `${model.name} lacks ${key}`);
      // Every listed option is accepted by the parser.
      for (const option of model.options) assert.doesNotThrow(() => parseZooSpec(`${model.name},${option.key}=${sampleValue(option.allowed)}`));
    }
  });

  it('rejects bad specs with one-line errors that list what is allowed', () => {
    throwsBadArgument(() => parseZooSpec(''), 'empty zoo spec', 'vgg16');
    throwsBadArgument(() => parseZooSpec('vgg17'), "unknown zoo model 'vgg17'", 'vgg11, vgg13, vgg16, vgg19', 'unet');
    throwsBadArgument(() => parseZooSpec('vgg16,widht=0.5'), "no option 'widht'", 'width, classes, input, classifier, seed');
    throwsBadArgument(() => parseZooSpec('vgg16,width'), "'width' is not key=value");
    throwsBadArgument(() => parseZooSpec('vgg16,width=abc'), 'width=abc', 'a number from 0.01 to 8');
    throwsBadArgument(() => parseZooSpec('vgg16,width=0'), 'width=0', 'from 0.01 to 8');
    throwsBadArgument(() => parseZooSpec('resnet20,classes=2.5'), 'classes=2.5', 'an integer from 1');
    throwsBadArgument(() => parseZooSpec('resnet20,classes=10,classes=100'), "'classes' twice");
    throwsBadArgument(() => parseZooSpec('vgg16,classifier=tiny'), 'classifier=tiny', 'one of cifar, imagenet');
    throwsBadArgument(() => parseZooSpec('unet,up=bilinear'), 'up=bilinear', 'one of transpose, resize');
    throwsBadArgument(() => parseZooSpec('resnet18,input=3x64'.replace('3x64', '3-64-64')), 'input=3-64-64', 'CxHxW or HxW');
    throwsBadArgument(() => parseZooSpec('resnet18,input=1x2x3x4'), 'CxHxW or HxW');
  });

  it('rejects option combinations the architecture cannot build', () => {
    throwsBadArgument(() => buildZooModel('vgg11,input=3x16x16'), 'vgg11', 'at least 32');
    throwsBadArgument(() => buildZooModel('unet,depth=4,input=1x40x40'), 'unet', 'multiples of 2^depth = 16');
    throwsBadArgument(() => buildZooModel('unet,in=3,input=1x64x64'), 'in=3 contradicts input=1x64x64');
    throwsBadArgument(() => buildZooModel('unet,out=3,classes=4'), 'out=3 contradicts classes=4');
  });
});

/** A value inside an option's allowed set, for the listing round trip. */
function sampleValue(allowed: string | undefined): string {
  if (allowed === undefined) return '3x32x32';
  const range = /from ([\d.]+) to/.exec(allowed);
  return range ? String(Math.max(1, Number(range[1]))) : allowed.split(', ')[0]!;
}
