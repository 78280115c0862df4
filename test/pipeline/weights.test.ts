import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { DETECTOR_FAMILIES } from '../../src/models/registry.js';
import { resolveWeights, shippedDetectorPath } from '../../src/pipeline/weights.js';
import { DetsegInputError } from '../../src/util/errors.js';

test('weights: a family without a shipped checkpoint asks for --weights; one with them defaults to its first', () => {
  for (const family of DETECTOR_FAMILIES) {
    if (family.shipped.length > 0) {
      assert.equal(basename(resolveWeights(family.kind)), family.shipped[0].file);
      continue;
    }
    assert.throws(() => resolveWeights(family.kind), (err: unknown) => err instanceof DetsegInputError && err.message === `--weights: no shipped checkpoint for ${family.kind}: pass --weights`);
    assert.throws(() => shippedDetectorPath(family.kind), DetsegInputError);
  }
  assert.ok(DETECTOR_FAMILIES.some((f) => f.shipped.length === 0), 'a family without shipped checkpoints is registered');
});
