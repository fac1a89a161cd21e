// Scores against the PyTorch fixtures (test/fixtures/pytorch/*/score, see its README): Spearman
// rank correlation per tensor, and the kept counts of the global mask at sparsity 0.9.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeModel } from '../src/onnx/decode.js';
import { materializeSharedParameters } from '../src/transform/index.js';
import { masksFromScores } from '../src/prune/masks.js';
import { magnitudeScores } from '../src/score/magnitude.js';
import { prunableWeights, type WeightScores } from '../src/score/weights.js';
import { FIXTURE_NAMES, loadFixture, type Fixture } from './helpers/fixtures.js';
import { spearman } from './helpers/numeric.js';

type ScorerName = 'magnitude' | 'snip' | 'grasp' | 'synflow';

function fixtureModel(fixture: Fixture) {
  return materializeSharedParameters(decodeModel(fixture.modelBytes()));
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

describe('pruning-at-initialisation scores match the PyTorch fixtures', () => {
  for (const name of FIXTURE_NAMES) {
    test(`magnitude on ${name}`, async () => {
      const fixture = loadFixture(name);
      const model = fixtureModel(fixture);
      assert.deepEqual(prunableWeights(model).map((w) => w.name).sort(), fixture.scoreNames().sort());
      compareWithReference(fixture, 'magnitude', await magnitudeScores(model), 0.999);
    });
  }
});
