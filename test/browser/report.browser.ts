/**
 * Browser test of the HTML report (`npm run test:browser`; not part of `npm test`, because it
 * needs Debian's chromium: `apt-get install -y chromium`). Headless Chromium, driven by
 * playwright-core, opens each generated report.html from disk and checks that every plot drew
 * its data (canvas of non-zero size holding pixels of every series' colour), that the page logged
 * no console error and requested nothing but its own file, and saves a full-page screenshot
 * under test/browser/output/ (gitignored).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { writeReport } from '../../src/platform/node/report-files.js';
import type { Results } from '../../src/report/results.js';
import { demoResults, manyModelResults, singleModelResults } from '../report-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = resolve('test/browser/output');

/** What the probe reports about one chart. */
interface ChartProbe {
  readonly id: string;
  readonly drawn: boolean;
  readonly width: number;
  readonly height: number;
  /** Canvas pixels with any paint on them. */
  readonly painted: number;
  readonly series: readonly { label: string; style: string; points: number; hits: number }[];
}

/**
 * Runs in the page (as source text, so the test's transpiler cannot inject helpers into it):
 * for each chart spec, finds the uPlot instance and counts opaque canvas pixels close to each
 * series' colour. Axes and grid are drawn in colours far from every series colour.
 */
const PROBE = `(() => {
  const specs = JSON.parse(document.getElementById('sculpt-charts').textContent).charts;
  return specs.map((spec) => {
    const u = window.sculptCharts && window.sculptCharts[spec.id];
    if (!u) return { id: spec.id, drawn: false, width: 0, height: 0, painted: 0, series: [] };
    const canvas = u.ctx.canvas;
    const pixels = u.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
    const series = spec.series.map((s, k) => {
      const rgb = [1, 3, 5].map((at) => parseInt(s.color.slice(at, at + 2), 16));
      let hits = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] < 200) continue;
        const distance = Math.abs(pixels[i] - rgb[0]) + Math.abs(pixels[i + 1] - rgb[1]) + Math.abs(pixels[i + 2] - rgb[2]);
        if (distance < 24) hits += 1;
      }
      return { label: s.label, style: s.style, points: u.data[k + 1].filter((v) => v !== null && v !== undefined).length, hits };
    });
    return { id: spec.id, drawn: true, width: canvas.width, height: canvas.height, painted, series };
  });
})()`;

/** A series is visible when it has a point, or — for a dashed criterion line — two. */
function shouldShow(series: ChartProbe['series'][number]): boolean {
  return series.style === 'threshold' ? series.points >= 2 : series.points >= 1;
}

function assertDrawn(charts: readonly ChartProbe[], expectedIds: readonly string[]): void {
  assert.deepEqual(
    charts.map((c) => c.id),
    expectedIds,
  );
  for (const chart of charts) {
    assert.ok(chart.drawn, `${chart.id}: no uPlot instance`);
    assert.ok(chart.width > 0 && chart.height > 0, `${chart.id}: canvas is ${chart.width}x${chart.height}`);
    assert.ok(chart.painted > 0, `${chart.id}: canvas is blank`);
    for (const series of chart.series) {
      if (shouldShow(series)) assert.ok(series.hits >= 4, `${chart.id}: series '${series.label}' (${series.style}, ${series.points} points) left only ${series.hits} pixels of its colour`);
    }
  }
}

/** Everything that went wrong on a page: console errors, page errors, failed or foreign requests. */
function watch(page: Page, fileUrl: string): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed request: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`));
  page.on('request', (request) => {
    if (request.url() !== fileUrl) problems.push(`unexpected request: ${request.url()}`);
  });
  return problems;
}

describe('the HTML report in headless Chromium', () => {
  let context: BrowserContext;
  let profile: string;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing; install it with: apt-get install -y chromium`);
    profile = mkdtempSync(join(tmpdir(), 'sculpt-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
  });

  after(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(name: string, results: Results): Promise<{ page: Page; problems: string[]; charts: ChartProbe[] }> {
    const dir = join(OUTPUT, name);
    mkdirSync(dir, { recursive: true });
    const { html } = writeReport(dir, results, { force: true });
    const fileUrl = pathToFileURL(resolve(html)).href;
    const page = await context.newPage();
    const problems = watch(page, fileUrl);
    await page.goto(fileUrl, { waitUntil: 'load' });
    // uPlot draws asynchronously after construction: wait until every chart has drawn once.
    const allDrawn = `(() => {
      const specs = JSON.parse(document.getElementById('sculpt-charts').textContent).charts;
      return window.sculptCharts !== undefined && specs.every((s) => (window.sculptCharts[s.id]?.sculptDraws ?? 0) > 0);
    })()`;
    try {
      await page.waitForFunction(allDrawn, undefined, { timeout: 15000 });
    } catch (error) {
      throw new Error(`${name}: the plots did not draw (${problems.join('; ') || 'no error logged'})`, { cause: error });
    }
    const charts = (await page.evaluate(PROBE)) as ChartProbe[];
    return { page, problems, charts };
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    const path = join(OUTPUT, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
  }

  it('draws all three plots of the demo report, with no console error or network request', async () => {
    const { page, problems, charts } = await open('demo', demoResults());
    assertDrawn(charts, ['chart-quality', 'chart-latency', 'chart-widths']);
    assert.ok((await page.locator('#summary-table tbody tr').count()) === 7);
    assert.equal(await page.locator('tr.chosen').count(), 1);
    await screenshot(page, 'demo');

    // Picking another model redraws the widths chart with that model's layers.
    await page.selectOption('#chart-widths-model', { label: 'Reconvene 4×' });
    const afterPick = ((await page.evaluate(PROBE)) as ChartProbe[]).find((c) => c.id === 'chart-widths')!;
    assertDrawn([afterPick], ['chart-widths']);
    const widths = (await page.evaluate("window.sculptCharts['chart-widths'].data[2]")) as number[];
    assert.deepEqual(widths, demoResults().models.find((m) => m.id === 'reconvene-4x')!.layers!.map((l) => l.after));
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('draws every plot of a 50-model report', async () => {
    const { page, problems, charts } = await open('many', manyModelResults(50));
    assertDrawn(charts, ['chart-quality', 'chart-latency', 'chart-widths']);
    assert.equal(await page.locator('#summary-table tbody tr').count(), 50);
    await screenshot(page, 'many');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('opens a one-model report without quality or latency, showing notes instead of empty plots', async () => {
    const { page, problems, charts } = await open('single', singleModelResults());
    assertDrawn(charts, []);
    assert.equal(await page.locator('.empty-plot').count(), 3);
    await screenshot(page, 'single');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
