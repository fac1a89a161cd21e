/** Help text: the command list for `sculpt --help`, and each command's usage with examples. */
import { listZooModels } from '../index.js';
import type { OptionSpec } from './args.js';
import { GLOBAL_OPTIONS, type Command } from './command.js';

/** `sculpt --help`. */
export function mainHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `sculpt ${version} — make convolutional networks small and fast for edge devices`,
    '',
    'Usage: sculpt <command> [arguments] [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Models are .onnx files or zoo:<name>[,key=value...], built in memory and seeded by --seed:',
    `  ${listZooModels().map((m) => m.name).join(', ')}`,
    "  e.g. zoo:resnet20, zoo:vgg16,width=0.5, zoo:unet,base=64,depth=4.",
    "Run 'sculpt <command> --help' for a command's options and examples.",
    '',
    'Exit codes: 0 ok, 1 runtime failure, 2 bad usage, 3 bad model or data, 4 file error,',
    '            5 criteria not met, 130 interrupted.',
    '',
  ].join('\n');
}

/** `sculpt <command> --help`. */
export function commandHelp(command: Command): string {
  const usage = [`sculpt ${command.name}`, ...command.positionals.map((p) => (p.optional ? `[<${p.name}>]` : p.variadic ? `<${p.name}> [<${p.name}> ...]` : `<${p.name}>`)), '[options]'].join(' ');
  const options = [...command.options, ...GLOBAL_OPTIONS];
  const labels = options.map(optionLabel);
  const width = Math.max(...labels.map((l) => l.length), ...command.positionals.map((p) => p.name.length + 2));
  const lines = [`sculpt ${command.name} — ${command.summary}`, '', `Usage: ${usage}`, ''];
  if (command.description) lines.push(command.description, '');
  if (command.positionals.length > 0) {
    lines.push('Arguments:');
    for (const p of command.positionals) lines.push(`  ${`<${p.name}>`.padEnd(width)}  ${p.description}`);
    lines.push('');
  }
  lines.push('Options:');
  options.forEach((o, i) => lines.push(`  ${labels[i]!.padEnd(width)}  ${o.description}${o.defaultText !== undefined ? ` (default: ${o.defaultText})` : ''}`));
  lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`), '');
  return lines.join('\n');
}

function optionLabel(o: OptionSpec): string {
  const long = `--${o.name}${o.kind === 'value' ? ` <${o.valueName ?? 'value'}>` : ''}`;
  return o.short ? `-${o.short}, ${long}` : `    ${long}`;
}
