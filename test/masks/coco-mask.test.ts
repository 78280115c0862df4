import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskToCocoRle } from '../../src/masks/coco-mask.js';
import { decodeRle } from '../../src/masks/rle.js';
import { rleFromString } from '../../src/masks/rle-string.js';

test('maskToCocoRle: a hand-made 3×4 mask gives the column-major runs pycocotools would', () => {
  // Row-major H=3, W=4:       column-major order (x*h + y): col0 0,1,0 col1 0,1,1 col2 0,0,0 col3 1,1,1
  const mask = Uint8Array.from([0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1]);
  const rle = maskToCocoRle(mask, 4, 3);
  assert.deepEqual(rle.size, [3, 4]);
  const decoded = decodeRle(rleFromString(rle.counts, 3, 4));
  assert.deepEqual(Array.from(decoded), [0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1]);
});
