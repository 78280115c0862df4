import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

const bin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');

/** Runs the built `detseg` CLI in a subprocess and returns its exit code and output. */
export function runCli(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: options.cwd, timeout: options.timeoutMs ?? 600_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
