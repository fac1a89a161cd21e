/**
 * The report's plots as plain data: which points, series, colours and axes each chart has.
 * Everything a plot shows is decided here, in testable TypeScript; the page script only hands
 * these specs to uPlot. Models are grouped into series by method and scorer, one x index per
 * model (so two models at the same compression never collide), sorted by compression.
 */
import { formatConfig, formatQuality, formatMs, metricName, methodName, scorerName } from './format.js';
import { latencyAt, primaryLatencyConfig, type ModelEntry, type Results } from './results.js';

/** How a series is drawn. */
export type SeriesStyle = 'line' | 'highlight' | 'threshold' | 'bar-wide' | 'bar-narrow';

/** How the page formats axis ticks and legend values. */
export type ValueFormat = 'percent' | 'fraction' | 'ms' | 'ratio' | 'count' | 'layer';

/** One series of a chart: a value (or a gap) per x index. */
export interface ChartSeries {
  readonly label: string;
  /** CSS colour, opaque '#rrggbb' (the browser test looks for it in the canvas). */
  readonly color: string;
  readonly style: SeriesStyle;
  readonly values: readonly (number | null)[];
}

/** The per-layer widths of one model, for the widths chart's model picker. */
export interface WidthsVariant {
  readonly id: string;
  readonly label: string;
  readonly names: readonly string[];
  readonly before: readonly number[];
  readonly after: readonly number[];
}

/** Everything needed to draw one chart. */
export interface ChartSpec {
  /** The id of the container element in the page. */
  readonly id: string;
  readonly kind: 'scatter' | 'bars';
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xLog: boolean;
  readonly xFormat: ValueFormat;
  readonly yFormat: ValueFormat;
  readonly xs: readonly number[];
  /** What each x index is: a model label (scatter) or a layer name (bars). */
  readonly pointLabels: readonly string[];
  readonly series: readonly ChartSeries[];
  /** Bars only: every model with layer widths; the drawn one is `variants[0]`. */
  readonly variants?: readonly WidthsVariant[];
}

/** Series colours (Tableau 10), in the order groups first appear. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#9c755f', '#ff9da7', '#edc948', '#bab0ac'] as const;
/** The ring around the chosen model. */
export const HIGHLIGHT_COLOR = '#111111';
/** Dashed criteria lines. */
export const THRESHOLD_COLOR = '#d81b60';
/** Width bars: dense width (light) behind the pruned width (dark). */
export const BEFORE_COLOR = '#c9d6e8';
export const AFTER_COLOR = '#2f5d8a';

/** Container ids, in page order. */
export const CHART_IDS = { quality: 'chart-quality', latency: 'chart-latency', widths: 'chart-widths' } as const;

/** The chart specs for a results file; a chart without any data to show is left out. */
export function buildCharts(results: Results): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const quality = qualityChart(results);
  if (quality) charts.push(quality);
  const latency = latencyChart(results);
  if (latency) charts.push(latency);
  const widths = widthsChart(results);
  if (widths) charts.push(widths);
  return charts;
}

/** "UPaI · SynFlow": how a series of models made the same way is named. */
export function groupLabel(model: ModelEntry): string {
  return model.scorer ? `${methodName(model.method)} · ${scorerName(model.scorer)}` : methodName(model.method);
}

interface Point {
  readonly model: ModelEntry;
  readonly y: number;
}

/** Scatter series by group, plus the chosen model's ring and an optional criterion line. */
function scatter(results: Results, points: readonly Point[], threshold: { label: string; value: number } | undefined): Pick<ChartSpec, 'xs' | 'pointLabels' | 'series'> {
  const sorted = [...points].sort((a, b) => a.model.compression - b.model.compression);
  const groups = new Map<string, (number | null)[]>();
  for (const model of results.models) if (!groups.has(groupLabel(model))) groups.set(groupLabel(model), []);
  const series: ChartSeries[] = [];
  let colorIndex = 0;
  for (const [label] of groups) {
    const values = sorted.map((p) => (groupLabel(p.model) === label ? p.y : null));
    const color = PALETTE[colorIndex % PALETTE.length]!;
    colorIndex += 1;
    if (values.some((v) => v !== null)) series.push({ label, color, style: 'line', values });
  }
  const chosen = results.choice && sorted.find((p) => p.model.id === results.choice!.id);
  if (chosen) series.push({ label: `Chosen: ${chosen.model.label}`, color: HIGHLIGHT_COLOR, style: 'highlight', values: sorted.map((p) => (p === chosen ? p.y : null)) });
  if (threshold) series.push({ label: threshold.label, color: THRESHOLD_COLOR, style: 'threshold', values: sorted.map(() => threshold.value) });
  return { xs: sorted.map((p) => p.model.compression), pointLabels: sorted.map((p) => p.model.label), series };
}

function qualityChart(results: Results): ChartSpec | undefined {
  const metric = results.task.metric;
  const points = results.models.flatMap((model) => (model.quality === null ? [] : [{ model, y: model.quality }]));
  if (points.length === 0) return undefined;
  const min = results.criteria?.minQuality;
  const threshold = min === undefined ? undefined : { label: `Min ${metricName(metric).toLowerCase()} ${formatQuality(min, metric)}`, value: min };
  return {
    id: CHART_IDS.quality,
    kind: 'scatter',
    title: `${metricName(metric)} vs compression`,
    xLabel: 'Compression (dense params / non-zero params, log scale)',
    yLabel: metricName(metric),
    xLog: true,
    xFormat: 'ratio',
    yFormat: metric === 'accuracy' ? 'percent' : 'fraction',
    ...scatter(results, points, threshold),
  };
}

function latencyChart(results: Results): ChartSpec | undefined {
  const config = primaryLatencyConfig(results);
  if (!config) return undefined;
  const points = results.models.flatMap((model) => {
    const measured = latencyAt(model, config);
    return measured ? [{ model, y: measured.medianMs }] : [];
  });
  if (points.length === 0) return undefined;
  const max = results.criteria?.maxLatency;
  // The bound is drawn only on the configuration it was stated for.
  const sameConfig = max !== undefined && max.threads === config.threads && max.batch === config.batch;
  const threshold = sameConfig ? { label: `Max latency ${formatMs(max.ms)}`, value: max.ms } : undefined;
  return {
    id: CHART_IDS.latency,
    kind: 'scatter',
    title: `Latency vs compression (${formatConfig(config)})`,
    xLabel: 'Compression (dense params / non-zero params, log scale)',
    yLabel: 'Median latency (ms)',
    xLog: true,
    xFormat: 'ratio',
    yFormat: 'ms',
    ...scatter(results, points, threshold),
  };
}

/** True when pruning changed at least one layer's width. */
export function isStructured(model: ModelEntry): boolean {
  return (model.layers ?? []).some((l) => l.after !== l.before);
}

/**
 * The model the widths chart opens on: the chosen model when it has widths, else the most
 * compressed model whose widths changed, else the first model with widths.
 */
function widthsOrder(results: Results): ModelEntry[] {
  const withLayers = results.models.filter((m) => (m.layers ?? []).length > 0);
  const chosen = withLayers.find((m) => m.id === results.choice?.id);
  const structured = withLayers.filter(isStructured).sort((a, b) => b.compression - a.compression);
  const first = chosen ?? structured[0] ?? withLayers[0];
  return first ? [first, ...withLayers.filter((m) => m !== first)] : [];
}

function widthsChart(results: Results): ChartSpec | undefined {
  const variants: WidthsVariant[] = widthsOrder(results).map((m) => {
    const layers = m.layers ?? [];
    return { id: m.id, label: m.label, names: layers.map((l) => l.name), before: layers.map((l) => l.before), after: layers.map((l) => l.after) };
  });
  const shown = variants[0];
  if (!shown) return undefined;
  return {
    id: CHART_IDS.widths,
    kind: 'bars',
    title: 'Output channels per layer, before and after pruning',
    xLabel: 'Prunable layer (graph order)',
    yLabel: 'Output channels',
    xLog: false,
    xFormat: 'layer',
    yFormat: 'count',
    xs: shown.names.map((_, i) => i),
    pointLabels: shown.names,
    series: [
      { label: 'Before (dense)', color: BEFORE_COLOR, style: 'bar-wide', values: shown.before },
      { label: 'After', color: AFTER_COLOR, style: 'bar-narrow', values: shown.after },
    ],
    variants,
  };
}
