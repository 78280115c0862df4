import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { serveStatic } from '../../scripts/serve.js';
import { packageRoot } from '../../src/util/paths.js';
import { compiledBuildDir } from './build-dir.js';

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

/** A headless Chromium and the static server it loads the package from. */
export interface BrowserSession {
  browser: Browser;
  /** Base URL of the server: the package root at `/`, the compiled package at `/dist/`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the package root (and the compiled package at `/dist/`, see {@link compiledBuildDir}) on an
 * ephemeral localhost port and launches headless Chromium; or skips `t` with a message and returns
 * undefined when Chromium or the build is missing.
 */
export async function startBrowserSession(t: TestContext): Promise<BrowserSession | undefined> {
  const chromiumPath = findChromium();
  if (chromiumPath.path === undefined) {
    t.skip(chromiumPath.skipReason);
    return undefined;
  }
  const build = compiledBuildDir();
  if (build.dir === undefined) {
    t.skip(build.skipReason);
    return undefined;
  }
  const server = await serveStatic([{ prefix: '/', dir: packageRoot() }, { prefix: '/dist/', dir: build.dir }]);
  try {
    const browser = await chromium.launch({ executablePath: chromiumPath.path, headless: true, args: chromiumLaunchArgs() });
    return {
      browser,
      url: server.url,
      close: async () => {
        await browser.close();
        await server.close();
      },
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}
