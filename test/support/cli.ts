/** An example's command line run as a merchant runs it (`tsx <script>`), for the tests of what it prints and how it exits. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Spawned {
  /** The first line it printed on stdout. */
  firstLine: Promise<string>;
  exit: Promise<{ code: number | null; stderr: string }>;
  stop: () => void;
}

/** Runs `script` (a path from the repository's root) with `args`, and `env` over this process's environment. */
export function runScript(script: string, args: string[] = [], env: Record<string, string> = {}): Spawned {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const firstLine = new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const end = stdout.indexOf('\n');
      if (end >= 0) resolve(stdout.slice(0, end));
    });
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return { firstLine, exit, stop: () => child.kill('SIGTERM') };
}
