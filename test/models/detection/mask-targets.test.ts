import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskTargets } from '../../../src/models/detection/mask-targets.js';
import { mulberry32 } from '../../../src/util/random.js';

test('mask targets, by hand: a box of 28×28 whole pixels gives the mean of each 2×2 block of cells (RoI Align, aligned = false)', () => {
  // With aligned = false cell (y, x) sits at coordinate (y, x); a 1×1-pixel bin has one sample at its
  // centre (i + 0.5, j + 0.5) (adaptive ratio ceil(1) = 1), the bilinear mean of cells i, i+1 × j, j+1.
  const random = mulberry32(4);
  const w = 40, h = 36;
  const masks = [0, 1].map(() => Uint8Array.from({ length: w * h }, () => (random() < 0.5 ? 1 : 0)));
  const boxes = Float32Array.from([3, 5, 31, 33, 10, 2, 38, 30]);
  const t = maskTargets(masks, w, h, boxes, [1, 0], 28);
  assert.equal(t.length, 2 * 28 * 28);
  for (let r = 0; r < 2; r++) {
    const m = masks[r === 0 ? 1 : 0];
    const [x0, y0] = [boxes[4 * r], boxes[4 * r + 1]];
    for (let i = 0; i < 28; i++) {
      for (let j = 0; j < 28; j++) {
        const y = y0 + i, x = x0 + j;
        const expected = (m[y * w + x] + m[y * w + x + 1] + m[(y + 1) * w + x] + m[(y + 1) * w + x + 1]) / 4;
        assert.ok(Math.abs(t[(r * 28 + i) * 28 + j] - expected) < 1e-6, `RoI ${r} (${i}, ${j})`);
      }
    }
  }
});

test('mask targets: a full mask gives 1 everywhere inside, no positives give an empty array', () => {
  const full = new Uint8Array(20 * 20).fill(1);
  const t = maskTargets([full], 20, 20, Float32Array.from([2.5, 3.25, 15.5, 12]), [0], 28);
  for (const v of t) assert.ok(Math.abs(v - 1) < 1e-6);
  assert.equal(maskTargets([full], 20, 20, new Float32Array(0), [], 28).length, 0);
});
