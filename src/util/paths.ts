import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** The package root of detseg (the folder holding its package.json), found from this file's location. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'detseg') return (cachedRoot = dir);
      } catch {
        /* keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('detseg: cannot find the package root');
    dir = up;
  }
}

/** Embedded data shipped with the package (`assets/`): checkpoints, the Sunnybrook subset, fixtures. */
export function assetsDir(...parts: string[]): string {
  return join(packageRoot(), 'assets', ...parts);
}

/**
 * The shared data folder (`../shared/data` beside the repository, or `$DETSEG_SHARED_DATA`), or
 * `undefined` when it is absent. Used by tests and benchmarks only; the package never needs it.
 */
export function sharedDataDir(): string | undefined {
  const candidates = [process.env.DETSEG_SHARED_DATA, resolve(packageRoot(), '..', 'shared', 'data')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return undefined;
}
