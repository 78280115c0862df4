import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the compiled package (tsc's outDir, holding `src/browser/index.js` and `test/browser/*.js`) is,
 * for the tests that load it in a browser or walk its import graph:
 * - `$DETSEG_BUILD_DIR` when set (for development: `npx tsc -p . --outDir /tmp/detseg-browser-build`
 *   then `DETSEG_BUILD_DIR=/tmp/detseg-browser-build node --import tsx --test test/browser/*.test.ts`);
 *   it is an error when that folder lacks the compiled browser entry;
 * - else, when this file runs compiled (`npm test` runs `dist/test/...`), the outDir it was compiled to;
 * - else (running from TypeScript sources) none: `skipReason` says why, and the test skips. Nothing is
 *   compiled here, since the build folder is shared.
 */
export function compiledBuildDir(): { dir: string; skipReason?: undefined } | { dir?: undefined; skipReason: string } {
  const fromEnv = process.env.DETSEG_BUILD_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    const dir = resolve(fromEnv);
    if (!existsSync(join(dir, 'src', 'browser', 'index.js'))) {
      throw new Error(`DETSEG_BUILD_DIR=${fromEnv} holds no src/browser/index.js: compile into it first (npx tsc -p . --outDir ${fromEnv})`);
    }
    return { dir };
  }
  if (import.meta.url.endsWith('.js')) return { dir: resolve(dirname(fileURLToPath(import.meta.url)), '..', '..') };
  return {
    skipReason:
      'runs from the build (npm test); from TypeScript sources compile to a private folder ' +
      '(npx tsc -p . --outDir /tmp/detseg-browser-build) and set DETSEG_BUILD_DIR=/tmp/detseg-browser-build',
  };
}
