import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resizeNearest } from '../../src/data/resize.js';

test('nearest resize by hand: 3 → 6 doubles each value, 6 → 3 keeps every other one (centres 1, 3, 5)', () => {
  assert.deepEqual(Array.from(resizeNearest(Uint8Array.from([1, 2, 3]), 3, 1, 1, 6, 1)), [1, 1, 2, 2, 3, 3]);
  assert.deepEqual(Array.from(resizeNearest(Uint8Array.from([1, 2, 3, 4, 5, 6]), 6, 1, 1, 3, 1)), [2, 4, 6]);
  // 2×2 → 4×4 on a label map keeps the labels (no blending) and the type.
  const out = resizeNearest(Int32Array.from([7, 8, 9, 10]), 2, 2, 1, 4, 4);
  assert.ok(out instanceof Int32Array);
  assert.deepEqual(Array.from(out), [7, 7, 8, 8, 7, 7, 8, 8, 9, 9, 10, 10, 9, 9, 10, 10]);
});
