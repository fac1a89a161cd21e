// Scores against the PyTorch fixtures (test/fixtures/pytorch/*/score, see its README): Spearman
// rank correlation per tensor, and the kept counts of the global mask at sparsity 0.9.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeModel } from '../src/onnx/decode.js';
import { materializeSharedParameters } from '../src/transform/index.js';
import { masksFromScores } from '../src/prune/masks.js';
import { magnitudeScores } from '../src/score/magnitude.js';
import { snipScores } from '../src/score/snip.js';
import { graspScores } from '../src/score/grasp.js';
import { synflowScores } from '../src/score/synflow.js';
import { freezePattern } from '../src/score/frozen-pattern.js';
import { buildGradientGraph } from '../src/autodiff/gradient-graph.js';
import { GradientRunner } from '../src/autodiff/gradient-runner.js';
import { detectKernels } from '../src/autodiff/kernels.js';
import { relativeError } from './helpers/numeric.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { tensor } from '../src/ir/tensor.js';
import type { LabelledBatch } from '../src/score/scorer.js';
import { buildTrainingGraph } from '../src/autodiff/training-graph.js';
import { StepRunner } from '../src/train/step-runner.js';
import { prunableWeights, type WeightScores } from '../src/score/weights.js';
import { FIXTURE_NAMES, loadFixture, type Fixture } from './helpers/fixtures.js';
import { spearman } from './helpers/numeric.js';

type ScorerName = 'magnitude' | 'snip' | 'grasp' | 'synflow';

function fixtureModel(fixture: Fixture) {
  return materializeSharedParameters(decodeModel(fixture.modelBytes()));
}

/**
 * The model the fixture's SNIP, GraSP and SynFlow scores were computed on. make_fixtures.py
 * exports model.onnx, then runs the training-mode gradient pass (which updates the BatchNorm
 * running statistics, momentum 0.1, unbiased variance) and only then scores in eval mode; so the
 * scores belong to model.onnx with its running statistics after one training-mode forward on the
 * fixture batch. This reproduces that update with the training engine at learning rate 0.
 */
async function fixtureScoringModel(fixture: Fixture) {
  const model = fixtureModel(fixture);
  const graph = buildTrainingGraph(model, { batchSize: fixture.meta.input_shape[0]!, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd' } });
  const runner = await StepRunner.create(graph, { backend: onnxruntimeNode });
  try {
    const batch = fixtureBatch(fixture);
    await runner.step(batch.input, batch.labels, 0);
    return runner.exportModel();
  } finally {
    await runner.release();
  }
}

/** Checks per-tensor Spearman correlation and the global 0.9 mask's kept counts against the fixture. */
function compareWithReference(fixture: Fixture, scorer: ScorerName, scores: WeightScores, minSpearman: number): void {
  assert.deepEqual([...scores.keys()].sort(), fixture.scoreNames().sort());
  for (const [name, t] of scores) {
    const reference = fixture.score(scorer, name);
    assert.equal(t.data.length, reference.length, name);
    const rho = spearman(t.data, reference);
    assert.ok(rho >= minSpearman, `${fixture.name} ${scorer} ${name}: Spearman ${rho.toFixed(5)} < ${minSpearman}`);
  }
  const masks = masksFromScores(scores, { sparsity: 0.9 });
  const expected = fixture.keptAt90(scorer);
  for (const [name, mask] of masks) {
    const kept = mask.data.reduce((a, b) => a + b, 0);
    const allowed = Math.max(0.001 * mask.data.length, 0);
    assert.ok(Math.abs(kept - expected[name]!) <= allowed, `${fixture.name} ${scorer} ${name}: kept ${kept}, reference ${expected[name]} (allowed difference ${allowed.toFixed(1)})`);
  }
}

function fixtureBatch(fixture: Fixture): LabelledBatch {
  return {
    input: tensor('float32', fixture.meta.input_shape, fixture.input()),
    labels: tensor('int64', fixture.meta.tensors['labels']!.shape, fixture.labels()),
  };
}

describe('pruning-at-initialisation scores match the PyTorch fixtures', () => {
  for (const name of FIXTURE_NAMES) {
    const fixture = loadFixture(name);
    let scoringModel: ReturnType<typeof fixtureScoringModel> | undefined;
    const scoring = () => (scoringModel ??= fixtureScoringModel(fixture));
    test(`magnitude on ${name}`, async () => {
      const model = fixtureModel(fixture);
      assert.deepEqual(prunableWeights(model).map((w) => w.name).sort(), fixture.scoreNames().sort());
      compareWithReference(fixture, 'magnitude', await magnitudeScores(model), 0.999);
    });
    test(`SNIP on ${name}`, async () => {
      compareWithReference(fixture, 'snip', await snipScores(await scoring(), { backend: onnxruntimeNode, data: fixtureBatch(fixture) }), 0.999);
    });
    test(`single-round SynFlow on ${name}`, async () => {
      compareWithReference(fixture, 'synflow', await synflowScores(await scoring(), { backend: onnxruntimeNode, rounds: 1 }), 0.999);
    });
    test(`GraSP (finite-difference Hessian product on the frozen pattern) on ${name}`, async () => {
      compareWithReference(fixture, 'grasp', await graspScores(await scoring(), { backend: onnxruntimeNode, data: fixtureBatch(fixture) }), 0.99);
    });
  }
});

describe('GraSP\'s frozen activation pattern', () => {
  // Regression: the pattern was once read from an inference session, where one pre-activation of
  // unet8 within rounding of zero had the other sign than in the gradient graph; that single unit
  // moved every gradient upstream of it by about 5e-3.
  test('leaves the gradient at the base point unchanged', async () => {
    const fixture = loadFixture('unet8');
    const model = fixtureModel(fixture);
    const batch = fixtureBatch(fixture);
    const kernels = await detectKernels(onnxruntimeNode);
    const frozen = await freezePattern(model, batch.input, { backend: onnxruntimeNode, kernels });
    assert.ok(frozen.graph.nodes.length > model.graph.nodes.length && !frozen.graph.nodes.some((n) => n.opType === 'Relu'));
    const names = prunableWeights(model).map((w) => w.name);
    const gradients = [];
    for (const m of [model, frozen]) {
      const runner = await GradientRunner.create(buildGradientGraph(m, { inputShape: batch.input.dims, objective: { kind: 'cross-entropy', temperature: 200 }, wrt: names, kernels }), { backend: onnxruntimeNode });
      gradients.push((await runner.run(batch.input, batch.labels)).gradients);
      await runner.release();
    }
    for (const name of names) {
      const error = relativeError(gradients[1]!.get(name)!.data as Float32Array, gradients[0]!.get(name)!.data as Float32Array);
      assert.ok(error < 1e-5, `${name}: frozen and plain gradients differ by ${error}`);
    }
  });
});
