import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

/**
 * Runs the `detseg` CLI in a subprocess and returns its exit code and output. Under the compiled suite
 * it runs `dist/src/cli/bin.js`; when the tests run from TypeScript (`node --import tsx`) it runs the
 * TypeScript entry point the same way, so no build is needed while developing.
 */
export function runCli(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): { code: number; stdout: string; stderr: string } {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = fromSource ? ['--import', 'tsx', join(packageRoot(), 'src', 'cli', 'bin.ts')] : [join(packageRoot(), 'dist', 'src', 'cli', 'bin.js')];
  const r = spawnSync(process.execPath, [...entry, ...args], { encoding: 'utf8', cwd: options.cwd, timeout: options.timeoutMs ?? 600_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
