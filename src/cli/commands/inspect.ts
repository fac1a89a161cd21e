/** `sculpt inspect`: a model's layers with shapes, parameters and MACs, and totals. */
import { buildDependencyGraph, formatPrunabilityReport, inferModel, layerCosts, prunabilityReport, totalCost, type LayerCost } from '../../index.js';
import type { Command } from '../command.js';
import { formatBytes, formatCount, formatInteger, formatShape, formatTable } from '../format.js';
import { parseInputShapes, resolvedInputShapes } from '../model-arg.js';

/** The --json object of `sculpt inspect` (macs per sample). */
export interface InspectJson {
  readonly params: number;
  readonly macs: number;
  readonly bytes: number;
  readonly nodes: number;
  readonly layers: readonly { name: string; op: string; inputShape: (number | string)[]; outputShape: (number | string)[]; params: number; macs: number }[];
}

export const inspect: Command = {
  name: 'inspect',
  summary: 'show a model’s layers: op, input and output shapes, parameters and MACs',
  description:
    'Validates the model (every op, attribute and shape) and prints one row per node with its\n' +
    'parameters and multiply-accumulates per sample, then the totals. Bytes are the stored size.',
  positionals: [{ name: 'model', description: 'an .onnx file or zoo:<name>' }],
  options: [
    {
      name: 'input-shape',
      kind: 'value',
      valueName: 'dims',
      repeatable: true,
      description: 'input shape, e.g. 1,3,32,32 (name:1,3,32,32 for one of several inputs); default: as declared',
    },
    { name: 'groups', kind: 'flag', description: 'show the prunability report instead: channel groups, their members and widths, and every barrier with its reason' },
  ],
  examples: ['sculpt inspect zoo:resnet20', 'sculpt inspect model.onnx --input-shape 1,3,224,224', 'sculpt inspect model.onnx --json', 'sculpt inspect zoo:unet --groups'],
  async run(ctx) {
    const resolved = await ctx.resolveModel(ctx.args.positionals[0]!);
    const given = parseInputShapes(ctx.args.strings('input-shape'), resolved.model, resolved.label);
    const typed = inferModel(resolved.model, { inputShapes: resolvedInputShapes(resolved.model, given, resolved.label) });
    if (ctx.args.flag('groups')) {
      // The prunability report (src/deps/report.ts); its --json form is the PrunabilityReport object.
      const report = prunabilityReport(buildDependencyGraph(typed));
      if (ctx.json) ctx.printJson(report);
      else ctx.print(formatPrunabilityReport(report));
      return;
    }
    const layers = layerCosts(typed);
    const totals = totalCost(layers);
    if (ctx.json) {
      const result: InspectJson = {
        params: totals.params,
        macs: totals.macs,
        bytes: resolved.storedBytes,
        nodes: layers.length,
        layers: layers.map((l) => ({ name: l.name, op: l.op, inputShape: [...l.inputShape], outputShape: [...l.outputShape], params: l.params, macs: l.macs })),
      };
      ctx.printJson(result);
      return;
    }
    for (const line of layerTable(layers)) ctx.print(line);
    ctx.print();
    ctx.print(
      `${resolved.label}: ${formatInteger(totals.params)} parameters (${formatCount(totals.params)}), ` +
        `${formatInteger(totals.macs)} MACs per sample (${formatCount(totals.macs)}), ${formatBytes(resolved.storedBytes)}, ${layers.length} nodes`,
    );
  },
};

function layerTable(layers: readonly LayerCost[]): string[] {
  return formatTable(
    ['#', 'name', 'op', 'input', 'output', 'params', 'MACs'],
    layers.map((l, i) => [String(i), l.name || '(unnamed)', l.op, formatShape(l.inputShape), formatShape(l.outputShape), formatInteger(l.params), formatInteger(l.macs)]),
    ['right', 'left', 'left', 'left', 'left', 'right', 'right'],
  );
}
