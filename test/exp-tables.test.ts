// The experiment tables: markdown sections replaced between markers and nothing else, rendering
// that depends only on the results files, Table A's claim check on hand-computed numbers, and
// the data padding of the networks that need 32x32 inputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDataset } from '../src/data/dataset.js';
import type { ExperimentConfig } from '../src/exp/config.js';
import { padDataset } from '../src/exp/data.js';
import { experimentCells, experimentFor, type GenerateCell } from '../src/exp/grid.js';
import { generationOutput, type GenerationMeasurement } from '../src/exp/generate-cell.js';
import { replaceSection, sectionMarkers } from '../src/exp/markdown.js';
import { STATE_FORMAT, type PartState } from '../src/exp/runner.js';
import { geometricMean, sampleStd } from '../src/exp/stats.js';
import { renderExperiment, type PartData } from '../src/exp/tables.js';
import type { ModelEntry } from '../src/report/results.js';
import { createResults } from '../src/report/validate.js';

const MACHINE = { cpu: 'Test CPU', cores: 2, node: 'v20.0.0', onnxruntime: '1.30.0' };

/** A Table A smoke part with two seeds whose numbers are chosen by hand. */
function claimPart(reconveneAccuracy: readonly [number, number], reconveneParams = 50): PartData {
  const definition = experimentFor('table-a-smoke');
  const config: ExperimentConfig = { ...definition.defaults, experiment: 'table-a-smoke' };
  const models: ModelEntry[] = [];
  const cells: Record<string, PartState['cells'][string]> = {};
  for (const seed of [1, 2]) {
    const lat = (b1: number, b4: number) => [{ threads: 1, batch: 1, medianMs: b1, p90Ms: b1 }, { threads: 1, batch: 4, medianMs: b4, p90Ms: b4 }];
    const dense: ModelEntry = { id: `vgg11-tiny-dense-seed${seed}`, label: 'dense', method: 'dense', compression: 1, params: 1000, nonzeroParams: 1000, macs: 9000, bytes: 4096, quality: 0.95, latency: lat(10, 40), seed };
    const upai: ModelEntry = { id: `vgg11-tiny-upai-snip-0.9-seed${seed}`, label: 'upai', method: 'upai', scorer: 'snip', sparsity: 0.9, compression: 10, params: 1000, nonzeroParams: 100, macs: 9000, bytes: 4096, quality: seed === 1 ? 0.9 : 0.92, latency: lat(10, 40), generationSeconds: 0.5, seed };
    const reconvene: ModelEntry = {
      id: `vgg11-tiny-reconvene-snip-0.9-seed${seed}`, label: 'reconvene', method: 'reconvene', scorer: 'snip', sparsity: 0.9, compression: 12, params: reconveneParams, nonzeroParams: 40, macs: 900, bytes: 512,
      quality: reconveneAccuracy[seed - 1]!, latency: lat(4, 10), generationSeconds: 0.6, seed,
    };
    models.push(dense, upai, reconvene);
    cells[`mnist/vgg11-tiny/dense/seed${seed}`] = { models: [dense.id], seconds: 1, run: 0, details: {} };
    cells[`mnist/vgg11-tiny/snip/0.9/seed${seed}`] = { models: [upai.id, reconvene.id], seconds: 2, run: 0, details: {} };
  }
  const results = createResults({ task: { dataset: 'mnist', task: 'classification', metric: 'accuracy' }, runs: [{ date: '2026-01-02T03:04:05.000Z', command: 'sculpt exp table-a-smoke', seed: 0, machine: MACHINE, seconds: 7200 }], models });
  const state: PartState = { format: STATE_FORMAT, version: 1, experiment: 'table-a-smoke', part: 'table-a-smoke-mnist', settings: '{}', config, cells };
  return { part: 'table-a-smoke-mnist', source: 'results/table-a-smoke-mnist.json', results, state };
}

describe('experiment markdown sections', () => {
  it('append a missing section under its title and replace only the text between the markers', () => {
    const { begin, end } = sectionMarkers('table-a');
    const first = replaceSection('# Experiments\n\nIntro.\n', 'table-a', 'one\n', 'Table A');
    assert.equal(first, `# Experiments\n\nIntro.\n\n## Table A\n\n${begin}\none\n${end}\n`);
    const edited = first.replace('Intro.', 'Intro, edited by hand.') + '\nThe claim held because...\n';
    const second = replaceSection(edited, 'table-a', 'two\nlines', 'Table A');
    assert.equal(second, edited.replace(`${begin}\none\n${end}`, `${begin}\ntwo\nlines\n${end}`));
    assert.equal(replaceSection(second, 'table-a', 'two\nlines\n', 'Table A'), second, 'the same body leaves the file as it is');
    assert.equal(replaceSection('', 'b', 'x', 'B'), `## B\n\n${sectionMarkers('b').begin}\nx\n${sectionMarkers('b').end}\n`);
  });

  it('refuse repeated or disordered markers, naming them', () => {
    const { begin, end } = sectionMarkers('t');
    assert.throws(() => replaceSection(`${end}\n${begin}\n`, 't', 'x', 'T'), /markers of section 't' are missing, repeated or out of order/);
    assert.throws(() => replaceSection(`${begin}\n${end}\n${begin}\n${end}\n`, 't', 'x', 'T'), /repeated/);
    assert.throws(() => replaceSection(`${begin}\n`, 't', 'x', 'T'), /missing/);
  });
});

describe('experiment tables', () => {
  it('render Table A from the results alone, the same text every time and in any part order', () => {
    const definition = experimentFor('table-a-smoke');
    const a = renderExperiment(definition, [claimPart([0.899, 0.915])]);
    const b = renderExperiment(definition, [claimPart([0.899, 0.915])]);
    assert.equal(a, b);
    const fashion = claimPart([0.5, 0.5]);
    const other = { ...fashion, part: 'table-a-smoke-fashion-mnist', source: 'f.json', state: { ...fashion.state, config: { ...fashion.state.config, datasets: ['fashion-mnist'] } } };
    assert.equal(renderExperiment(definition, [claimPart([0.899, 0.915]), other]), renderExperiment(definition, [other, claimPart([0.899, 0.915])]));
    assert.match(a, /- \*\*Command:\*\* `sculpt exp table-a-smoke`/);
    // Start to start + wall time; one invocation writing two parts counts once.
    assert.match(a, /- \*\*Date:\*\* 2026-01-02 03:04 to 2026-01-02 05:04 UTC, 1 invocation, 2\.0 h of wall time \(cells: 6 s\); 4 of 4 cells finished/);
    assert.match(renderExperiment(definition, [claimPart([0.899, 0.915]), other]), /UTC, 1 invocation, 2\.0 h of wall time \(cells: 12 s\); 8 of 8 cells finished/);
    assert.match(a, /- \*\*Machine:\*\* Test CPU, 2 cores, Node v20\.0\.0, onnxruntime-node 1\.30\.0/);
    assert.match(a, /- \*\*Budget:\*\* 1 epoch over 192 training examples .* batch 32, .* accuracy on 100 test examples/);
  });

  it('check the claim with hand-computed means, paired differences and ratios', () => {
    const text = renderExperiment(experimentFor('table-a-smoke'), [claimPart([0.899, 0.915])]);
    // UPaI 90 and 92 %: mean 91.00, sample std sqrt(2) = 1.41. Reconvene 89.9 and 91.5: 90.70 ± 1.13.
    // Per-seed differences −0.1 and −0.5 points: −0.30 ± 0.28. Params 1000/50 = 20x; b1 10/4 = 2.5x; b4 40/10 = 4x.
    assert.match(text, /\| UPaI \| snip \| 0\.9 \| 91\.00 ± 1\.41 \(2\) \| 1,000 \| 100 \| 9,000 \| 4 KiB \| 10 \| 40 \|  \|  \|  \|  \| 0\.5 \|/);
    assert.match(text, /\| \*\*Reconvene\*\* \| snip \| 0\.9 \| 90\.70 ± 1\.13 \(2\) \| 50 \| 40 \| 900 \| 512 B \| 4 \| 10 \| 20\.0x \| 8\.00x \| 2\.50x \| 4\.00x \| 0\.6 \|/);
    assert.match(text, /\| VGG-11-BN, width 1\/16 \| snip \| 0\.9 \| 91\.00 ± 1\.41 \| 90\.70 ± 1\.13 \| −0\.30 ± 0\.28 \| 20\.0x \| 2\.50x \| 4\.00x \| \*\*holds\*\* \|/);
    assert.match(text, /The claim held in \*\*1 of 1\*\* settings/);
  });

  it('say which part of the claim fails', () => {
    // Reconvene 88 and 90 %: −2 points each; 1000/200 = 5x parameters.
    const text = renderExperiment(experimentFor('table-a-smoke'), [claimPart([0.88, 0.9], 200)]);
    assert.match(text, /\| −2\.00 ± 0\.00 \| 5\.00x \| 2\.50x \| 4\.00x \| no \(accuracy, size\) \|/);
    assert.match(text, /The claim held in \*\*0 of 1\*\* settings/);
  });

  it('mark a setting without every seed as incomplete and count only finished cells', () => {
    const part = claimPart([0.899, 0.915]);
    const { ['mnist/vgg11-tiny/snip/0.9/seed2']: _dropped, ...cells } = part.state.cells;
    const text = renderExperiment(experimentFor('table-a-smoke'), [{ ...part, state: { ...part.state, cells } }]);
    assert.match(text, /3 of 4 cells finished/);
    assert.match(text, /\| 90\.00 ± 0\.00 \| 89\.90 ± 0\.00 \| −0\.10 ± 0\.00 \| 20\.0x \| 2\.50x \| 4\.00x \| incomplete \(1 of 2 seeds so far: holds\) \|/);
    assert.match(text, /The claim held in \*\*0 of 0\*\* settings with results for every seed on MNIST; on the seeds finished so far it held in 1 of the 1 settings still missing seeds\./);
    // Seed 1 alone misses the size part (1000/200 = 5x).
    const small = claimPart([0.899, 0.915], 200);
    const { ['mnist/vgg11-tiny/snip/0.9/seed2']: _gone, ...rest } = small.state.cells;
    const missing = renderExperiment(experimentFor('table-a-smoke'), [{ ...small, state: { ...small.state, cells: rest } }]);
    assert.match(missing, /\| 5\.00x \| 2\.50x \| 4\.00x \| incomplete \(1 of 2 seeds so far: no \(size\)\) \|/);
    assert.match(missing, /held in 0 of the 1 settings still missing seeds/);
  });
});

describe('Table C', () => {
  it('records a failed generation with its reason and renders it as a row, next to the ones that worked', () => {
    const definition = experimentFor('table-c-smoke');
    const config: ExperimentConfig = { ...definition.defaults, experiment: 'table-c-smoke', scorers: ['snip', 'synflow'] };
    const cell = experimentCells(definition, config)[0] as GenerateCell;
    const request = { network: cell.network, sparsity: 0.9, seed: 1, batch: 10 };
    const measured: GenerationMeasurement = {
      request: { ...request, scorer: 'snip' }, dense: { params: 17500, macs: 1e6 }, pruned: { params: 5000, macs: 4e5, bytes: 21000 }, keptWeights: 1750, maskedWeights: 100,
      rule: 'density', threshold: 0.1, rectified: 5, layers: 22, generateMs: 1500, timeMs: { score: 1000, mask: 100, pse: 50, rlr: 50, selfTest: 300 }, peakRssBytes: 200 * 2 ** 20, denseBytes: 72000,
    };
    const failure = { request: { ...request, scorer: 'synflow' }, failed: { code: 'NUMERIC', message: 'every SynFlow score is zero' } };
    const output = generationOutput(cell, [measured, failure]);
    assert.deepEqual(output.models.map((m) => m.id), ['resnet20-tiny-dense-seed1', 'resnet20-tiny-reconvene-snip-0.9-seed1']);
    assert.equal(output.details['resnet20-tiny-reconvene-synflow-0.9-seed1']?.failed, 'NUMERIC: every SynFlow score is zero');
    const results = createResults({ task: { dataset: 'random-normal', task: 'classification', metric: 'accuracy' }, runs: [{ date: '2026-01-02T03:04:05.000Z', command: 'sculpt exp table-c-smoke', seed: 0, machine: MACHINE, seconds: 10 }], models: output.models.map((m) => ({ ...m, run: 0 })) });
    const state: PartState = { format: STATE_FORMAT, version: 1, experiment: 'table-c-smoke', part: 'table-c-smoke', settings: '{}', config, cells: { [cell.id]: { models: [], seconds: 10, run: 0, details: output.details } } };
    const text = renderExperiment(definition, [{ part: 'table-c-smoke', source: 'c.json', results, state }]);
    assert.match(text, /\| snip \| 0\.9 \| \*\*1\.5\*\* \| 1 \| 0\.1 \| 0\.1 \| 0\.3 \| 200 MiB \| 5,000 \| 3\.50x \| 5 \/ 22 \|/);
    assert.match(text, /\| synflow \| 0\.9 \| failed: NUMERIC: every SynFlow score is zero \| — \| — \|/);
    assert.throws(() => generationOutput(cell, [failure, { ...failure, request: { ...request, scorer: 'snip' } }]), /every generation of resnet20-tiny failed/);
  });
});

describe('experiment data and statistics', () => {
  it('pad images centred with the normalised value of a black pixel', () => {
    const images = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // two 1x2x2 images
    const data = createDataset({ name: 'tiny', task: 'classification', channels: 1, height: 2, width: 2, images, labels: Int32Array.from([0, 1]), numClasses: 2, normalization: { kind: 'channel', scale: 1 / 255, mean: [0.5], std: [0.25] } });
    const padded = padDataset(data, 4);
    const b = -2; // (0 − 0.5) / 0.25
    assert.deepEqual([padded.height, padded.width, padded.count], [4, 4, 2]);
    assert.deepEqual([...padded.images.subarray(0, 16)], [b, b, b, b, b, 1, 2, b, b, 3, 4, b, b, b, b, b]);
    assert.deepEqual([...padded.images.subarray(16)], [b, b, b, b, b, 5, 6, b, b, 7, 8, b, b, b, b, b]);
    assert.equal(padDataset(padded, 4), padded, 'large enough images are left alone');
  });

  it('compute sample standard deviations and geometric means', () => {
    assert.ok(Math.abs(sampleStd([1, 2, 3, 4]) - Math.sqrt(5 / 3)) < 1e-12);
    assert.equal(sampleStd([7]), 0);
    assert.ok(Math.abs(geometricMean([2, 8]) - 4) < 1e-12);
  });
});
