#!/usr/bin/env node
// The `sculpt` command: runs the compiled CLI (built by `npm ci` / `npm run build` into dist/).
import('../dist/src/cli/main.js')
  .then((cli) => cli.main(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error) => {
    console.error(`sculpt: ${error && error.message ? error.message : error}`);
    process.exitCode = 1;
  });
