#!/usr/bin/env node
// The `sculpt` command: runs the compiled CLI (built by `npm ci` / `npm run build` into dist/).
// A closed pipe (`sculpt inspect m.onnx | head`) ends the program quietly instead of crashing.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
import('../dist/src/cli/main.js')
  .then((cli) => cli.main(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error) => {
    console.error(`sculpt: error: ${error && error.message ? error.message : error} (is dist/ built? run 'npm run build')`);
    process.exitCode = 1;
  });
