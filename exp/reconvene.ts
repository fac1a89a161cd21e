// `npm run exp -- <experiment> [options]`: the Reconvene experiments from source, exactly as
// `sculpt exp <experiment> [options]` (src/cli/commands/exp.ts) runs them from dist/.
import { main } from '../src/cli/main.js';

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.exitCode = await main(['exp', ...process.argv.slice(2)]);
