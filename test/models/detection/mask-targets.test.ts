import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskTargets } from '../../../src/models/detection/mask-targets.js';
import { pasteMask } from '../../../src/models/detection/mask-paste.js';
import { mulberry32 } from '../../../src/util/random.js';

test('mask targets, by hand: a box of 28×28 whole pixels copies the mask pixel for pixel (RoI Align, aligned = true)', () => {
  // With aligned = true pixel k covers [k, k + 1); a 1×1-pixel bin has one sample at its centre
  // (adaptive ratio ceil(1) = 1), which is the centre of one mask pixel: no interpolation.
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
        assert.equal(t[(r * 28 + i) * 28 + j], m[(y0 + i) * w + x0 + j], `RoI ${r} (${i}, ${j})`);
      }
    }
  }
});

test('mask targets pasted back into their box give the ground-truth mask again (no half-pixel shift)', () => {
  // A 14×14-pixel box at whole coordinates, 28×28 targets: each target cell is a quarter pixel, and
  // pasting (bilinear at pixel centres, threshold ½) must land every pixel where it came from.
  const random = mulberry32(9);
  const w = 32, h = 30;
  const mask = Uint8Array.from({ length: w * h }, () => (random() < 0.5 ? 1 : 0));
  const box = Float32Array.from([6, 8, 20, 22]);
  const pasted = pasteMask(maskTargets([mask], w, h, box, [0], 28), 28, box, w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inBox = x >= 6 && x < 20 && y >= 8 && y < 22;
      assert.equal(pasted[y * w + x], inBox ? mask[y * w + x] : 0, `pixel (${x}, ${y})`);
    }
  }
});

test('mask targets: a full mask gives 1 everywhere inside, no positives give an empty array', () => {
  const full = new Uint8Array(20 * 20).fill(1);
  const t = maskTargets([full], 20, 20, Float32Array.from([2.5, 3.25, 15.5, 12]), [0], 28);
  for (const v of t) assert.ok(Math.abs(v - 1) < 1e-6);
  assert.equal(maskTargets([full], 20, 20, new Float32Array(0), [], 28).length, 0);
});
