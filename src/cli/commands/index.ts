/**
 * The command table. To add a command: write ./<name>.ts exporting a `Command` (see ../command.ts
 * and ./inspect.ts for the pattern), then add one line below. Order here is the order in help.
 */
import type { Command } from '../command.js';
import { bench } from './bench.js';
import { demoCommand } from './demo.js';
import { evalCommand } from './eval.js';
import { fitCommand } from './fit.js';
import { inspect } from './inspect.js';
import { trainCommand } from './train.js';
import { prune } from './prune.js';
import { reportCommand } from './report.js';
import { expCommand } from './exp.js';

export const COMMANDS: readonly Command[] = [
  inspect,
  prune,
  bench,
  trainCommand,
  evalCommand,
  fitCommand,
  reportCommand,
  demoCommand,
  expCommand,
];
