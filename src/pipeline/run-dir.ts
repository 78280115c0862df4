import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Run folders, as Ultralytics lays them out: `<project>/<name>/` (default `runs/train/exp`), with
 * `exp2`, `exp3`, … when the name is taken; `weights/last.ckpt` and `weights/best.ckpt` inside.
 */

/** The first free `<project>/<name>`, `<name>2`, `<name>3`, … (not created). */
export function nextRunDir(project: string, name: string): string {
  const base = resolve(project, name);
  if (!existsSync(base)) return base;
  for (let k = 2; ; k++) {
    const dir = `${base}${k}`;
    if (!existsSync(dir)) return dir;
  }
}

/** Creates the run folder and its `weights/` (the folder must not exist yet). */
export function createRunDir(dir: string): void {
  mkdirSync(join(dir, 'weights'), { recursive: true });
}

/** The most recently written `weights/last.ckpt` under `project` (for `--resume` without a path), or undefined. */
export function latestRun(project: string): string | undefined {
  const root = resolve(project);
  if (!existsSync(root)) return undefined;
  let best: { dir: string; time: number } | undefined;
  for (const name of readdirSync(root)) {
    const last = join(root, name, 'weights', 'last.ckpt');
    if (existsSync(last)) {
      const time = statSync(last).mtimeMs;
      if (!best || time > best.time) best = { dir: join(root, name), time };
    }
  }
  return best?.dir;
}
