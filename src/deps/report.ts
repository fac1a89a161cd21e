/**
 * The prunability report: every channel group with its width, members and whether it can be
 * pruned, and every barrier with its reason. Plain data (for `--json`) plus a text formatter
 * (what `sculpt inspect --groups` prints).
 *
 * @example console.log(formatPrunabilityReport(prunabilityReport(buildDependencyGraph(inferModel(model)))));
 */
import type { DependencyGraph, GroupNode } from './groups.js';

/** One group of the report. */
export interface GroupSummary {
  readonly id: number;
  readonly width: number;
  readonly prunable: boolean;
  /** Why the group is fixed (empty when prunable). */
  readonly barriers: readonly string[];
  /** Nodes whose output channels it removes, as "name (Op)". */
  readonly producers: readonly string[];
  /** Nodes whose input channels it removes, as "name (Op)". */
  readonly consumers: readonly string[];
  /** Activation tensors whose channels it removes. */
  readonly tensors: readonly string[];
  /** Constants sliced with it, as "value[axis]". */
  readonly parameters: readonly string[];
}

/** The whole report. */
export interface PrunabilityReport {
  readonly groups: readonly GroupSummary[];
  readonly barriers: readonly { readonly node?: string; readonly tensor: string; readonly reason: string }[];
  readonly totals: { readonly groups: number; readonly prunableGroups: number; readonly channels: number; readonly prunableChannels: number };
}

/** Builds the report from a dependency graph. */
export function prunabilityReport(deps: DependencyGraph): PrunabilityReport {
  const label = (n: GroupNode): string => `${n.node} (${n.opType})`;
  const groups = deps.groups.map((g) => ({
    id: g.id,
    width: g.width,
    prunable: g.prunable,
    barriers: [...g.barriers],
    producers: unique(g.producers.map(label)),
    consumers: unique(g.consumers.map(label)),
    tensors: g.members.map((m) => m.tensor),
    parameters: unique(g.parameters.map((p) => `${p.value}[${p.axis}]`)),
  }));
  const prunable = groups.filter((g) => g.prunable);
  return {
    groups,
    barriers: deps.barriers.map((b) => ({ ...b })),
    totals: {
      groups: groups.length,
      prunableGroups: prunable.length,
      channels: groups.reduce((n, g) => n + g.width, 0),
      prunableChannels: prunable.reduce((n, g) => n + g.width, 0),
    },
  };
}

/** Formats the report as text: a summary line, one row per group, then the barriers. */
export function formatPrunabilityReport(report: PrunabilityReport): string {
  const { totals } = report;
  const lines = [
    `${totals.prunableGroups} of ${totals.groups} channel groups are prunable (${totals.prunableChannels} of ${totals.channels} channels).`,
    '',
    'group  width  prunable  producers -> consumers',
  ];
  for (const g of report.groups) {
    const flow = `${list(g.producers) || '(none)'} -> ${list(g.consumers) || '(none)'}`;
    lines.push(`${String(g.id).padStart(5)}  ${String(g.width).padStart(5)}  ${(g.prunable ? 'yes' : 'no').padEnd(8)}  ${flow}`);
    for (const reason of g.barriers.slice(0, 3)) lines.push(`${' '.repeat(24)}fixed: ${reason}`);
    if (g.barriers.length > 3) lines.push(`${' '.repeat(24)}fixed: and ${g.barriers.length - 3} more reasons`);
  }
  if (report.barriers.length > 0) {
    lines.push('', 'Barriers:');
    for (const b of report.barriers) lines.push(`  '${b.tensor}': ${b.node ? `${b.node}: ` : ''}${b.reason}`);
  }
  return lines.join('\n');
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function list(items: readonly string[], max = 4): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
