import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadPlotLibrary } from '../src/platform/node/report-files.js';
import type { ChartSpec } from '../src/report/charts.js';
import { CLIENT_SCRIPT } from '../src/report/client.js';
import { formatBytes, formatCount, formatQuality, formatRatio, significant } from '../src/report/format.js';
import { renderReport } from '../src/report/html.js';
import { escapeHtml } from '../src/report/markup.js';
import { createResults } from '../src/report/validate.js';
import type { Results } from '../src/report/results.js';
import { demoResults, HOSTILE_COMMAND, HOSTILE_LABEL, manyModelResults, singleModelResults } from './report-fixture.js';

const library = loadPlotLibrary();

function render(results: Results): string {
  return renderReport(results, { plotLibrary: library });
}

/** The chart specs the page hands to uPlot. */
function chartSpecs(page: string): ChartSpec[] {
  const match = /<script type="application\/json" id="sculpt-charts">([^<]*)<\/script>/.exec(page);
  assert.ok(match, 'the page has its chart data block');
  return (JSON.parse(match[1]!) as { charts: ChartSpec[] }).charts;
}

/** The rows of the summary table, by model id, as their HTML. */
function summaryRows(page: string): Map<string, string> {
  const table = /<table class="summary" id="summary-table">([\s\S]*?)<\/table>/.exec(page);
  assert.ok(table, 'the page has the summary table');
  const rows = new Map<string, string>();
  for (const row of table[1]!.matchAll(/<tr class="[^"]*" data-model="([^"]+)">([\s\S]*?)<\/tr>/g)) rows.set(row[1]!, row[2]!);
  return rows;
}

/** Text with tags removed and the five escapes undone (what a reader sees). */
function text(fragment: string): string {
  return fragment
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('the HTML report', () => {
  const page = render(demoResults());

  it('is one self-contained document: no external script, stylesheet, image or link', () => {
    assert.ok(page.startsWith('<!doctype html>'));
    assert.doesNotMatch(page, /\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i, 'no src/href to a URL');
    assert.doesNotMatch(page, /<link\b/i);
    assert.doesNotMatch(page, /<script\b[^>]*\bsrc=/i);
    assert.doesNotMatch(page, /@import|url\(\s*["']?(?:https?:)?\/\//i);
    // The only links are to the model files beside the report.
    const hrefs = [...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(hrefs, demoResults().models.map((m) => m.file));
  });

  it('embeds uPlot (script and stylesheet) and the page script', () => {
    assert.ok(page.includes(library.script.slice(0, 200)) && page.includes(library.script.slice(-200)), 'the minified uPlot script');
    assert.ok(page.includes(library.style.slice(0, 100)), 'the uPlot stylesheet');
    assert.ok(page.includes(CLIENT_SCRIPT));
    assert.equal(library.name, 'uPlot');
    assert.match(library.version, /^1\.6\.\d+$/);
    assert.doesNotThrow(() => new Function(CLIENT_SCRIPT), 'the page script parses');
  });

  it('has a container for every plot, and chart data for each', () => {
    for (const id of ['chart-quality', 'chart-latency', 'chart-widths']) assert.match(page, new RegExp(`<div class="chart" id="${id}" role="img"`));
    assert.deepEqual(
      chartSpecs(page).map((c) => c.id),
      ['chart-quality', 'chart-latency', 'chart-widths'],
    );
  });

  it('escapes every text from the results file', () => {
    assert.ok(!page.includes(HOSTILE_LABEL), 'the raw label never appears');
    assert.ok(page.includes(escapeHtml(HOSTILE_LABEL)));
    assert.ok(!page.includes("<script>alert('x')</script>"), 'the raw command never appears');
    assert.ok(page.includes(escapeHtml(HOSTILE_COMMAND)));
    assert.equal(page.match(/<script\b/g)?.length, 3, 'only the data block, uPlot and the page script');
    assert.equal(page.match(/<b>/g), null);
  });

  it('keeps a label that closes the script element inside the chart data', () => {
    const demo = demoResults();
    const evil = '</script><script>alert(1)</script>\u2028';
    const results = createResults({ ...demo, models: demo.models.map((m, i) => (i === 1 ? { ...m, label: evil } : m)) });
    const evilPage = render(results);
    assert.equal(evilPage.match(/<script\b/g)?.length, 3);
    const labels = chartSpecs(evilPage).flatMap((c) => c.pointLabels);
    assert.ok(labels.includes(evil), 'the label survives the round trip');
  });

  it('lists every model in the summary with its numbers and ratios against dense (worked by hand)', () => {
    const rows = summaryRows(page);
    assert.deepEqual([...rows.keys()], demoResults().models.map((m) => m.id));
    // Reconvene 16×: 52 630 params (421 642 / 52 630 = 8.01×), 771 072 MACs (3 826 688 / 771 072 = 4.96×),
    // 212 870 bytes (1 688 315 / 212 870 = 7.93×), 98.53% (−0.59 pp against 99.12%), 0.118 ms (0.412 / 0.118 = 3.49×).
    const chosen = text(rows.get('reconvene-16x')!);
    for (const expected of ['chosen', 'Pareto', 'Reconvene SynFlow', '93.75%', '16×', '52.6 k', '26.4 k non-zero', '8.01×', '771 k', '4.96×', '213 kB', '7.93×', '98.53%', '−0.59 pp', '0.118 ms', '3.49×', '0.77 s', '2 epochs', '41.5 s', '✓ meets']) {
      assert.ok(chosen.includes(expected), `chosen row shows ${expected}: ${chosen}`);
    }
    assert.ok(text(rows.get('upai-64x')!).includes('✗ quality, latency, size'));
    assert.ok(text(rows.get('dense')!).includes('baseline'));
    assert.equal([...page.matchAll(/<tr class="chosen"/g)].length, 1);
  });

  it('states the criteria, the chosen model and the reason, with its gains against dense', () => {
    const decision = text(/<section id="decision">([\s\S]*?)<\/section>/.exec(page)![1]!);
    assert.ok(decision.includes(`Chosen model: ${HOSTILE_LABEL}`));
    assert.ok(decision.includes(demoResults().choice!.reason));
    assert.ok(decision.includes('Against Dense: 16× compression · 7.93× smaller file · 4.96× fewer MACs · 3.49× faster · accuracy −0.59 pp.'));
    for (const bound of ['Accuracy at least 98.00%', 'Median latency at most 0.3 ms (1 thread, batch 1)', 'File size at most 1 MB']) assert.ok(decision.includes(bound), bound);
    assert.ok(decision.includes('2 of 7 models meet every criterion.'));
  });

  it('plots quality and latency against compression, sorted, with the chosen model and the bound marked', () => {
    const [quality, latency] = chartSpecs(page);
    const demo = demoResults();
    for (const chart of [quality!, latency!]) {
      assert.equal(chart.xLog, true);
      assert.deepEqual(chart.xs, [...chart.xs].sort((a, b) => a - b));
      assert.equal(chart.xs.length, demo.models.length);
      const groups = chart.series.filter((s) => s.style === 'line');
      assert.deepEqual(
        groups.map((s) => s.label),
        ['Dense', 'UPaI · SynFlow', 'Reconvene · SynFlow'],
      );
      // Every model is drawn exactly once, in its group's series.
      for (let i = 0; i < chart.xs.length; i += 1) assert.equal(groups.filter((s) => s.values[i] !== null).length, 1);
      const chosen = chart.series.find((s) => s.style === 'highlight')!;
      const at = chosen.values.findIndex((v) => v !== null);
      assert.equal(chart.xs[at], 16);
      assert.equal(chart.pointLabels[at], HOSTILE_LABEL);
    }
    assert.deepEqual(quality!.series.find((s) => s.style === 'threshold')!.values, Array(7).fill(0.98));
    assert.deepEqual(latency!.series.find((s) => s.style === 'threshold')!.values, Array(7).fill(0.3));
    const reconvene = latency!.series.find((s) => s.label === 'Reconvene · SynFlow')!.values.filter((v) => v !== null);
    assert.deepEqual(reconvene, [0.251, 0.118, 0.061]);
  });

  it('draws the latency bound only on the configuration it was stated for', () => {
    const demo = demoResults();
    const elsewhere = createResults({ ...demo, criteria: { ...demo.criteria!, maxLatency: { ms: 0.3, threads: 4, batch: 1 } } });
    const latency = chartSpecs(render(elsewhere)).find((c) => c.id === 'chart-latency')!;
    assert.equal(latency.title, 'Latency vs compression (1 thread, batch 1)');
    assert.equal(latency.series.some((s) => s.style === 'threshold'), false);
  });

  it('shows per-layer widths of the chosen model first, and a table of every structured model', () => {
    const widths = chartSpecs(page)[2]!;
    assert.deepEqual(widths.pointLabels, ['conv1', 'conv2', 'conv3', 'conv4', 'fc1', 'fc2']);
    assert.deepEqual(widths.series.map((s) => s.values), [
      [32, 32, 64, 64, 128, 10],
      [28, 16, 24, 20, 48, 10],
    ]);
    assert.equal(widths.variants?.[0]?.id, 'reconvene-16x');
    assert.match(page, /<select id="chart-widths-model">/);
    const table = text(/<table class="widths" id="widths-table">([\s\S]*?)<\/table>/.exec(page)![1]!);
    assert.ok(table.startsWith(`# Layer Op Dense Reconvene 4× ${HOSTILE_LABEL} Reconvene 64×`), table);
    assert.ok(table.includes('2 conv2 Conv 32 24 75% 16 50% 8 25%'), table);
    assert.match(page, /Keep every layer's width \(unstructured sparsity only\): UPaI SynFlow 4×, UPaI SynFlow 16×, UPaI SynFlow 64×\./);
  });

  it('tables latency at every measured configuration and lists the runs', () => {
    const latency = text(/<table class="latency" id="latency-table">([\s\S]*?)<\/table>/.exec(page)![1]!);
    assert.ok(latency.startsWith('Model 1 thread, batch 1 2 threads, batch 32'));
    assert.ok(latency.includes('Dense 0.412 ms p90 0.461 ms, 200 runs 6.81 ms p90 7.35 ms, 50 runs'), latency);
    const runs = text(/<table class="runs" id="runs-table">([\s\S]*?)<\/table>/.exec(page)![1]!);
    assert.ok(runs.includes(`2025-03-14 09:26 UTC ${HOSTILE_COMMAND} 7 AMD EPYC, 2 cores, linux x64 v20.20.2 1.30.0`), runs);
  });

  it('renders 50 models: every row, every plot, and the widths table with a row per model', () => {
    const many = render(manyModelResults(50));
    assert.equal(summaryRows(many).size, 50);
    assert.deepEqual(
      chartSpecs(many).map((c) => [c.id, c.xs.length]),
      [
        ['chart-quality', 50],
        ['chart-latency', 50],
        ['chart-widths', 8],
      ],
    );
    const header = text(/<table class="widths" id="widths-table">\s*<thead>([\s\S]*?)<\/thead>/.exec(many)![1]!);
    assert.ok(header.startsWith('Model features.0 Conv 64 features.3 Conv 64'), header);
    assert.doesNotMatch(many, /id="decision"/);
  });

  it('renders one model without measurements as notes in place of empty plots', () => {
    const single = render(singleModelResults());
    assert.equal(summaryRows(single).size, 1);
    assert.deepEqual(chartSpecs(single), []);
    assert.equal(single.match(/class="plot empty-plot"/g)?.length, 3);
    assert.ok(single.includes('No model has a measured Dice score.'));
    assert.doesNotMatch(single, /<div class="chart"/);
    assert.doesNotMatch(single, /id="latency-table"/);
  });

  it('shows Dice as a fraction and the notes, and says when no model meets the criteria', () => {
    const single = singleModelResults();
    const results = createResults({
      ...single,
      models: [{ ...single.models[0]!, quality: 0.8123 }],
      criteria: { minQuality: 0.85 },
      notes: ['No model reached a Dice of 0.85 within the training budget.'],
    });
    const seg = render(results);
    const decision = text(/<section id="decision">([\s\S]*?)<\/section>/.exec(seg)![1]!);
    assert.ok(decision.includes('No model meets every criterion.'));
    assert.ok(decision.includes('Dice at least 0.850'));
    assert.ok(decision.includes('0 of 1 models meet every criterion.'));
    assert.ok(decision.includes('No model reached a Dice of 0.85 within the training budget.'));
    assert.ok(text(summaryRows(seg).get('unet-pruned')!).includes('0.812'));
  });

  it('says which bounds a chosen model misses, when a search chose the closest one', () => {
    const demo = demoResults();
    const closest = createResults({ ...demo, choice: { id: 'reconvene-64x', reason: 'No model met every criterion; Reconvene 64× comes closest.' } });
    const decision = text(/<section id="decision">([\s\S]*?)<\/section>/.exec(render(closest))![1]!);
    assert.ok(decision.includes('It misses: quality 96.11% is below 98.00%.'), decision);
    assert.doesNotMatch(page, /It misses/);
  });

  it('uses the title it is given, escaped', () => {
    const titled = renderReport(singleModelResults(), { plotLibrary: library, title: 'U-Net <CAMUS>' });
    assert.match(titled, /<title>U-Net &lt;CAMUS&gt;<\/title>/);
    assert.match(titled, /<h1>U-Net &lt;CAMUS&gt;<\/h1>/);
  });
});

describe('report number formats', () => {
  it('writes three significant digits with SI-style suffixes', () => {
    assert.deepEqual(
      [significant(0.41234), significant(6.8), significant(1234.5), significant(0)],
      ['0.412', '6.8', '1235', '0'],
    );
    assert.deepEqual([formatCount(999), formatCount(52630), formatCount(3826688), formatCount(2.5e9)], ['999', '52.6 k', '3.83 M', '2.5 G']);
    assert.deepEqual([formatBytes(512), formatBytes(212870), formatBytes(1688315)], ['512 B', '213 kB', '1.69 MB']);
    assert.deepEqual([formatRatio(7.9311), formatQuality(0.98531, 'accuracy'), formatQuality(0.81234, 'dice'), formatQuality(null, 'dice')], ['7.93×', '98.53%', '0.812', '—']);
  });
});
