// Runs the CLI in-process with captured output, or as a child process (like a user would).
import { spawn } from 'node:child_process';
import type { Command, TextStream } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class Buffer implements TextStream {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Runs `sculpt <argv>` in this process. */
export async function runCli(argv: readonly string[], options: { commands?: readonly Command[]; tty?: boolean } = {}): Promise<CliResult> {
  const stdout = new Buffer(options.tty);
  const stderr = new Buffer(options.tty);
  const code = await main(argv, options.commands ? { stdout, stderr, commands: options.commands } : { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const ROOT = new URL('../../', import.meta.url).pathname;

/** Spawns `sculpt <argv>` from source in a child process. */
export function spawnCli(argv: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/cli-entry.ts', ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Uint8Array) => (stdout += String(d)));
    child.stderr.on('data', (d: Uint8Array) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
