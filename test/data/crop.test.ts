import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { centreCropOrigin, cropInto } from '../../src/data/crop.js';
import { DetsegInputError } from '../../src/util/errors.js';

test('cropInto equals naive indexing, with and without the left–right flip', () => {
  const w = 7, h = 6;
  const src = Float32Array.from({ length: w * h }, (_, i) => i);
  const out = new Float32Array(2 + 3 * 3);
  cropInto(src, w, 2, 3, 3, false, out, 2);
  assert.deepEqual(Array.from(out.subarray(2)), [17, 18, 19, 24, 25, 26, 31, 32, 33]);
  cropInto(src, w, 2, 3, 3, true, out, 2);
  assert.deepEqual(Array.from(out.subarray(2)), [19, 18, 17, 26, 25, 24, 33, 32, 31]);
  assert.deepEqual(centreCropOrigin(256, 256, 128), [64, 64]);
  assert.throws(() => centreCropOrigin(100, 256, 128), DetsegInputError);
});

