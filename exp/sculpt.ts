// Runs the sculpt CLI from source (as bin/sculpt.js runs it from dist/), so the experiments'
// commands work without a build: `npx tsx exp/sculpt.ts <command> ...`.
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
