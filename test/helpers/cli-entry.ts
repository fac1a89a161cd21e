// Runs the CLI from source (as bin/sculpt.js does from dist/), for tests that spawn it.
import { main } from '../../src/cli/main.js';

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.exitCode = await main(process.argv.slice(2));
