import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { sharedDataDir } from '../../src/util/paths.js';

/**
 * Path to `../shared/data/<sub>`, or `undefined` after skipping the test with a message when the shared
 * data is absent. Under `CI=true` a missing shared folder is a failure, not a skip.
 */
export function sharedData(t: TestContext, ...sub: string[]): string | undefined {
  const dir = sharedDataDir();
  if (dir === undefined) {
    if (process.env.CI === 'true') throw new Error('CI=true but ../shared/data is missing');
    t.skip('../shared/data is absent: skipped (set DETSEG_SHARED_DATA to run it)');
    return undefined;
  }
  return join(dir, ...sub);
}
