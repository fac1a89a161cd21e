// The sculpting methods on real small models: channel pruning reaches each rung's parameter
// budget (counted independently from the pruned graph) and keeps the function of what it keeps
// (onnxruntime outputs of the cut model equal the original's with the removed channels zeroed, by
// the pruner's self-test); uniform scaling picks the widest zoo model within the budget.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSculptError } from '../src/errors.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel } from '../src/ops/infer.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { l1Criterion } from '../src/score/channel/index.js';
import { isUnreachableRung } from '../src/sculpt/method.js';
import { channelMethod, initialisationMethod, uniformMethod } from '../src/sculpt/methods.js';
import { buildZooModel } from '../src/zoo/index.js';

const params = (model: Parameters<typeof inferModel>[0]): number => totalCost(layerCosts(inferModel(model))).params;

describe('sculpting methods', () => {
  it('channel pruning with a width cap keeps min(width, C) channels per layer within each rung\'s budget, never narrowing the head', async () => {
    const dense = buildZooModel('unet,base=16,depth=2,out=3,input=1x16x16', { seed: 4 });
    const full = params(dense);
    const method = channelMethod({ criterion: l1Criterion, backend: onnxruntimeNode, seed: 1 });
    assert.equal(method.slug, 'l1');
    assert.equal(method.training, 'fine-tune');
    let previous = Infinity;
    for (const target of [2, 8, 64]) {
      const candidate = await method.prepare(dense, target);
      const kept = params(candidate.model);
      assert.ok(kept <= full / target, `${target}x: ${kept} parameters of ${full}`);
      const hidden = candidate.layers!.filter((l) => l.name !== 'head');
      const cap = Math.max(...hidden.map((l) => l.after));
      assert.ok(cap < previous, `${target}x: the cap ${cap} falls with the budget`);
      previous = cap;
      for (const l of hidden) assert.equal(l.after, Math.min(l.before, cap), `${target}x: ${l.name} keeps min(${l.before}, ${cap})`);
      assert.equal(candidate.layers!.find((l) => l.name === 'head')!.after, 3, 'the segmentation head keeps its classes');
    }
  });

  it('channel pruning with the pruner\'s global and local scopes meets each rung closely', async () => {
    const dense = buildZooModel('unet,base=16,depth=2,out=3,input=1x16x16', { seed: 4 });
    const full = params(dense);
    for (const allocation of ['global', 'local'] as const) {
      const method = channelMethod({ criterion: l1Criterion, backend: onnxruntimeNode, seed: 1, allocation });
      assert.equal(method.slug, `l1-${allocation}`);
      for (const target of [2, 8]) {
        const kept = params((await method.prepare(dense, target)).model);
        assert.ok(kept <= full / target && kept > full / target / 1.2, `${allocation} ${target}x: ${kept} parameters, budget ${full / target}`);
      }
    }
  });

  it('channel pruning names the rung when its budget cannot be met', async () => {
    const dense = buildZooModel('unet,base=4,depth=1,out=2,input=1x8x8', { seed: 0 });
    const method = channelMethod({ criterion: l1Criterion, backend: onnxruntimeNode });
    await assert.rejects(method.prepare(dense, 1e6), (e: unknown) => isUnreachableRung(e) && isSculptError(e, 'BAD_ARGUMENT') && /^rung 1000000x of the ladder: .*; drop it from --ladder$/.test(e.message));
  });

  it('uniform scaling builds the widest architecture within the budget', async () => {
    const spec = (width: number): string => `unet,base=32,depth=2,out=2,input=1x16x16,width=${width}`;
    const dense = buildZooModel(spec(1), { seed: 0 });
    const full = params(dense);
    const method = uniformMethod({ build: (width) => buildZooModel(spec(width), { seed: 0 }) });
    assert.equal(method.training, 'from-scratch');
    for (const target of [4, 64]) {
      const candidate = await method.prepare(dense, target);
      const kept = params(candidate.model);
      assert.ok(kept <= full / target, `${target}x: ${kept} of ${full}`);
      // One more channel in the first level would exceed the budget: the base width is the largest that fits.
      const base = candidate.layers!.find((l) => l.name === 'down.0.0')!.after;
      assert.ok(params(buildZooModel(spec((base + 1) / 32), { seed: 0 })) > full / target, `${target}x: base ${base} + 1 would not fit`);
    }
  });

  it('UPaI masks a newly initialised model to the rung\'s non-zero parameters, keeping its shapes', async () => {
    const spec = 'unet,base=16,depth=2,out=2,input=1x16x16';
    const dense = buildZooModel(spec, { seed: 0 });
    const full = params(dense);
    const method = initialisationMethod({ kind: 'upai', scorer: 'magnitude', build: () => buildZooModel(spec, { seed: 7 }), backend: onnxruntimeNode });
    assert.equal(method.training, 'from-scratch');
    const candidate = await method.prepare(dense, 16);
    assert.equal(params(candidate.model), full, 'UPaI keeps dense shapes');
    let zeros = 0;
    for (const [name, mask] of candidate.masks!) {
      const weight = candidate.model.graph.initializers.get(name)!.data as Float32Array;
      const m = mask.data as Float32Array;
      for (let i = 0; i < m.length; i++) if (m[i] === 0) (zeros++, assert.equal(weight[i], 0, `${name}[${i}] is masked and zero`));
    }
    assert.equal(candidate.nonzeroParams, full - zeros);
    assert.ok(Math.abs(candidate.nonzeroParams! - full / 16) <= 2, `${candidate.nonzeroParams} non-zero, asked ${full / 16}`);
    await assert.rejects(method.prepare(dense, 1e6), (e: unknown) => isUnreachableRung(e) && /upai cannot reach 0 non-zero parameters, as \d+ parameters \(normalisation, biases\) are not prunable/.test((e as Error).message));
  });

  it('Reconvene rebuilds layers narrower from the UPaI mask and counts the weights its masks still hold', async () => {
    const spec = 'unet,base=16,depth=2,out=2,input=1x16x16';
    const dense = buildZooModel(spec, { seed: 0 });
    const method = initialisationMethod({ kind: 'reconvene', scorer: 'magnitude', build: () => buildZooModel(spec, { seed: 7 }), backend: onnxruntimeNode });
    const candidate = await method.prepare(dense, 64);
    const stored = params(candidate.model);
    assert.ok(stored < params(dense), `${stored} stored parameters, fewer than the dense ${params(dense)}`);
    assert.ok(candidate.nonzeroParams! <= stored, 'non-zero parameters are at most the stored ones');
    assert.ok(candidate.layers!.some((l) => l.after < l.before), 'some layer was rebuilt narrower');
  });
});
