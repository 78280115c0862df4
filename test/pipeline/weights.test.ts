import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { DETECTOR_FAMILIES } from '../../src/models/registry.js';
import { resolveWeights, shippedDetectorPath } from '../../src/pipeline/weights.js';
import { DetsegInputError } from '../../src/util/errors.js';

test('weights: each family defaults to its first shipped checkpoint (a family that ships none asks for --weights); a name that is neither a file nor shipped is refused', () => {
  for (const family of DETECTOR_FAMILIES) {
    if (family.shipped.length > 0) {
      assert.equal(basename(resolveWeights(family.kind)), family.shipped[0].file);
      continue;
    }
    assert.throws(() => resolveWeights(family.kind), (err: unknown) => err instanceof DetsegInputError && err.message === `--weights: no shipped checkpoint for ${family.kind}: pass --weights`);
    assert.throws(() => shippedDetectorPath(family.kind), DetsegInputError);
  }
  assert.equal(basename(resolveWeights('detr', 'faster-rcnn-small')), 'detector-faster-rcnn-small.ckpt', 'a shipped name of another family');
  assert.throws(() => resolveWeights('detr', 'no-such-checkpoint'), (err: unknown) => err instanceof DetsegInputError && /is neither a file nor a shipped checkpoint/.test(err.message));
});
