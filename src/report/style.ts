/**
 * The report's stylesheet: system fonts, readable tables with right-aligned tabular numbers,
 * the chosen model highlighted, plots in a responsive grid. Print-friendly; no web fonts.
 */
export const REPORT_STYLE = `
:root { --ink: #1d2330; --muted: #5b6475; --line: #dde2ea; --zebra: #f7f9fc; --accent: #2f5d8a; --chosen: #fff4cc; --chosen-edge: #e0a800; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 18px 0 6px; }
.subtitle, .note { color: var(--muted); }
.note { font-size: 13px; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--zebra); padding: 1px 4px; border-radius: 3px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: #eef2f7; font-weight: 600; white-space: nowrap; position: sticky; top: 0; }
tbody tr:nth-child(even) { background: var(--zebra); }
tbody th { font-weight: 600; min-width: 11em; }
td.num { text-align: right; white-space: nowrap; }
.sub { display: block; color: var(--muted); font-size: 12px; font-weight: 400; }
td.num .sub { text-align: right; }
tr.chosen, tr.chosen:nth-child(even) { background: var(--chosen); }
tr.chosen > th { box-shadow: inset 4px 0 0 var(--chosen-edge); }
.badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 0 6px; border-radius: 9px; background: #e6ebf2; color: var(--muted); vertical-align: 1px; }
.chosen-badge { background: var(--chosen-edge); color: #fff; }
.pareto-badge { background: #dcebdc; color: #2e6b2e; }
td.pass { color: #2e6b2e; white-space: nowrap; }
td.fail { color: #a3242f; min-width: 7em; }
a.file { color: var(--accent); overflow-wrap: anywhere; }
ul.notes { margin: 10px 0; padding-left: 22px; color: var(--ink); }
td.narrowed { color: var(--accent); font-weight: 600; }
.choice { border: 1px solid var(--chosen-edge); border-left-width: 6px; background: var(--chosen); padding: 12px 16px; border-radius: 6px; }
.choice.none { border-color: #a3242f; background: #fdecee; }
.choice p { margin: 4px 0; }
.choice-title { font-size: 17px; }
.reason { font-style: italic; }
.misses { color: #a3242f; }
ul.criteria { margin: 4px 0; padding-left: 22px; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 20px; }
figure.plot { margin: 0; min-width: 0; }
figcaption { font-weight: 600; margin-bottom: 6px; }
.chart { width: 100%; min-height: 320px; }
.picker { display: inline-block; margin: 0 0 8px; font-size: 13px; color: var(--muted); }
.picker select { font: inherit; margin-left: 6px; }
footer { margin-top: 36px; padding-bottom: 28px; color: var(--muted); font-size: 12px; }
@media print { .scroll { overflow: visible; } thead th { position: static; } }
`;
