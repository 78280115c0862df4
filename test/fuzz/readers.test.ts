import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzTarget } from './harness.js';
import { FUZZ_TARGETS } from './targets.js';

/**
 * Seeded fuzzing of every reader and both evaluations: a fixed number of mutated fixture files per
 * target (a few seconds each), the same inputs on every run. A reader may accept an input or refuse it
 * with a one-line DetsegInputError; anything else fails the test with the first offending inputs.
 * Longer runs: `npm run fuzz -- --seconds 600`.
 */

const ITERATIONS: Record<string, number> = { checkpoint: 20000, dicom: 1500, 'voc-xml': 800, 'coco-reader': 1000, 'coco-eval': 1000 };

for (const target of FUZZ_TARGETS) {
  test(`fuzz ${target.name}: only input errors escape (seeded)`, () => {
    const counts = fuzzTarget(target, { seed: 2026, iterations: ITERATIONS[target.name] ?? 3000 });
    const shown = counts.failures.slice(0, 3).map((f) => `${f.error.split('\n')[0]}\n  input: ${JSON.stringify(new TextDecoder().decode(f.input.subarray(0, 300)))}`);
    assert.equal(counts.failures.length, 0, `${JSON.stringify(counts.errorsByType)}\n${shown.join('\n')}`);
    // the seeds themselves are valid files: they are read, and the mutations are not all rejected at once
    assert.ok(counts.accepted >= target.seeds().length, `${counts.accepted} accepted`);
    assert.equal(counts.runs, ITERATIONS[target.name] ?? 3000);
  });
}
