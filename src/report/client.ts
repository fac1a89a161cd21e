/**
 * The script embedded in report.html. It reads the chart specs (charts.ts) from the page's
 * JSON block and draws each with uPlot, which the page embeds before it. Kept as plain ES2017
 * text — it runs in the reader's browser, not in Sculpt — and kept small: every decision about
 * what a chart shows is made in charts.ts. Each drawn chart is left at `window.sculptCharts[id]`
 * for the browser test.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var HEIGHT = 320;
  var specs = JSON.parse(document.getElementById('sculpt-charts').textContent).charts;
  var charts = {};
  window.sculptCharts = charts;

  function significant(v) {
    if (v === 0 || !isFinite(v)) return String(v);
    var digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v))));
    return String(Number(v.toFixed(Math.min(digits, 6))));
  }

  function format(kind, v) {
    if (v === null || v === undefined) return '\u2014';
    if (kind === 'percent') return (v * 100).toFixed(2) + '%';
    if (kind === 'fraction') return v.toFixed(3);
    if (kind === 'ms') return significant(v) + ' ms';
    if (kind === 'ratio') return significant(v) + '\u00d7';
    if (kind === 'count') return String(Math.round(v));
    return String(v);
  }

  // Layer ticks show names while they fit (up to MAX_NAMED layers), else the layer number.
  var MAX_NAMED = 12;
  function tick(kind, v, names) {
    if (v === null || v === undefined) return '';
    if (kind === 'percent') return significant(v * 100) + '%';
    if (kind === 'ratio') return significant(v) + '\u00d7';
    if (kind === 'layer') {
      if (!Number.isInteger(v)) return '';
      var name = names && names.length <= MAX_NAMED ? names[v] : undefined;
      if (name === undefined) return String(v + 1);
      return name.length > 14 ? '\u2026' + name.slice(-13) : name;
    }
    return significant(v);
  }

  // Pads a data range so single points and flat lines still get a readable axis.
  function padLinear(min, max, floorZero) {
    if (min === null || max === null) return [0, 1];
    var span = max - min;
    var pad = span > 0 ? span * 0.08 : Math.abs(max) * 0.05 || 1;
    var lo = floorZero ? 0 : min - pad;
    return [lo, max + pad];
  }

  function seriesOptions(spec, s) {
    var opts = {
      label: s.label,
      stroke: s.color,
      width: 2,
      value: function (u, v) { return format(spec.yFormat, v); },
    };
    if (s.style === 'line') {
      opts.spanGaps = true;
      opts.points = { show: true, size: 8, width: 1, stroke: s.color, fill: s.color };
    } else if (s.style === 'highlight') {
      opts.paths = function () { return null; };
      opts.points = { show: true, size: 20, width: 3, stroke: s.color, fill: 'rgba(0,0,0,0)' };
    } else if (s.style === 'threshold') {
      opts.spanGaps = true;
      opts.dash = [8, 5];
      opts.points = { show: false };
    } else {
      opts.paths = uPlot.paths.bars({ size: [s.style === 'bar-wide' ? 0.8 : 0.42, 80] });
      opts.fill = s.color;
      opts.width = 0;
      opts.points = { show: false };
    }
    return opts;
  }

  // Muted axes: no series colour is close to them, so the browser test can tell data from axes.
  function axis(label, kind, state, extra) {
    var opts = {
      label: label,
      stroke: '#5b6475',
      grid: { stroke: 'rgba(0,0,0,0.07)', width: 1 },
      ticks: { stroke: 'rgba(0,0,0,0.15)', width: 1 },
      values: function (u, splits) { return splits.map(function (v) { return tick(kind, v, state.pointLabels); }); },
    };
    Object.keys(extra).forEach(function (key) { if (extra[key] !== undefined) opts[key] = extra[key]; });
    return opts;
  }

  function options(spec, el, state) {
    var bars = spec.kind === 'bars';
    var xScale = bars
      ? { time: false, range: function (u) { return [-0.5, u.data[0].length - 0.5]; } }
      : { time: false, distr: spec.xLog ? 3 : 1, log: 10, range: function (u, min, max) { return [min / 1.6, max * 1.6]; } };
    return {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      scales: {
        x: xScale,
        y: { range: function (u, min, max) { return padLinear(min, max, bars); } },
      },
      axes: [
        axis(spec.xLabel, spec.xFormat, state, { incrs: bars ? [1, 2, 5, 10, 20, 50, 100] : undefined }),
        axis(spec.yLabel, spec.yFormat, state, { size: 64 }),
      ],
      series: [
        {
          label: bars ? 'Layer' : 'Model',
          value: function (u, v, si, i) {
            if (i === null || i === undefined) return '\u2014';
            var name = state.pointLabels[i];
            return bars ? (i + 1) + '. ' + name : name + ' (' + format(spec.xFormat, v) + ')';
          },
        },
      ].concat(spec.series.map(function (s) { return seriesOptions(spec, s); })),
      legend: { live: true },
      // Counts completed draws; the browser test waits for one before reading the canvas.
      hooks: { draw: [function (u) { u.sculptDraws = (u.sculptDraws || 0) + 1; }] },
      cursor: { drag: { x: false, y: false } },
    };
  }

  specs.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    if (!el) throw new Error('report: no element for chart ' + spec.id);
    var state = { pointLabels: spec.pointLabels };
    var data = [spec.xs].concat(spec.series.map(function (s) { return s.values; }));
    charts[spec.id] = new uPlot(options(spec, el, state), data, el);

    var picker = document.getElementById(spec.id + '-model');
    if (picker && spec.variants) {
      picker.addEventListener('change', function () {
        var variant = spec.variants[Number(picker.value)];
        state.pointLabels = variant.names;
        charts[spec.id].setData([variant.names.map(function (_, i) { return i; }), variant.before, variant.after]);
      });
    }
  });

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      specs.forEach(function (spec) {
        var el = document.getElementById(spec.id);
        charts[spec.id].setSize({ width: Math.max(320, el.clientWidth), height: HEIGHT });
      });
    });
  });
})();
`;
