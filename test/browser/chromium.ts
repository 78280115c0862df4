import { existsSync } from 'node:fs';

/**
 * The Chromium the browser tests drive through playwright-core: `$CHROMIUM_PATH`, else Debian's
 * `/usr/bin/chromium`; undefined, with the reason to skip, when neither exists (a skip also under CI=true:
 * the browser is an optional system package, not part of `npm ci`).
 */
export function findChromium(): { path: string; skipReason?: undefined } | { path?: undefined; skipReason: string } {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    return existsSync(fromEnv) ? { path: fromEnv } : { skipReason: `CHROMIUM_PATH=${fromEnv} does not exist: browser test skipped` };
  }
  if (existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium' };
  return { skipReason: "Chromium not found (set CHROMIUM_PATH, or install Debian's chromium: apt-get install chromium): browser test skipped" };
}

/**
 * Command-line flags for `chromium.launch`. As root (CI containers) Chromium refuses to start with its
 * sandbox on, so `--no-sandbox` is then required; `--disable-dev-shm-usage` keeps it working where
 * /dev/shm is small (Docker's default 64 MB).
 */
export function chromiumLaunchArgs(): string[] {
  return [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'];
}
