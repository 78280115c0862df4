import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generalizedBoxIou, giouPair } from '../../src/boxes/giou.js';
import { boxIou } from '../../src/boxes/iou.js';
import { randomBoxes } from '../../src/boxes/random.js';
import { DetsegInputError } from '../../src/util/errors.js';

test('GIoU hand-worked examples', () => {
  // overlap 1, union 7, enclosing 3×3 = 9: 1/7 − 2/9 = −5/63
  assert.ok(Math.abs(giouPair(0, 0, 2, 2, 1, 1, 3, 3) - -5 / 63) < 1e-15);
  // disjoint unit squares 1 apart: IoU 0, union 2, hull 3 → −1/3
  assert.ok(Math.abs(giouPair(0, 0, 1, 1, 2, 0, 3, 1) - -1 / 3) < 1e-15);
  // identical boxes → 1; nested box fills 1/4 of the outer one → IoU = GIoU = 1/4
  assert.equal(giouPair(0, 0, 2, 2, 0, 0, 2, 2), 1);
  assert.equal(giouPair(0, 0, 2, 2, 0, 0, 1, 1), 0.25);
  // both degenerate on one line: hull area 0 → defined as IoU = 0
  assert.equal(giouPair(0, 0, 0, 5, 0, 6, 0, 9), 0);
});

test('generalizedBoxIou: IoU − (hull − union)/hull on random boxes, and GIoU ≤ IoU, in [−1, 1]', () => {
  const a = randomBoxes(60, 5, { extent: 300 });
  const b = randomBoxes(40, 6, { extent: 300 });
  const giou = generalizedBoxIou(a, b);
  const iou = boxIou(a, b);
  for (let i = 0; i < 60; i++) {
    for (let j = 0; j < 40; j++) {
      const [ax1, ay1, ax2, ay2] = a.subarray(4 * i, 4 * i + 4);
      const [bx1, by1, bx2, by2] = b.subarray(4 * j, 4 * j + 4);
      const inter = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1)) * Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
      const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
      const hull = (Math.max(ax2, bx2) - Math.min(ax1, bx1)) * (Math.max(ay2, by2) - Math.min(ay1, by1));
      const expected = inter / union - (hull - union) / hull;
      const got = giou[i * 40 + j];
      assert.ok(Math.abs(got - expected) < 1e-6, `${i},${j}: ${got} vs ${expected}`);
      assert.ok(got <= iou[i * 40 + j] + 1e-6 && got >= -1 && got <= 1);
    }
  }
  assert.equal(generalizedBoxIou(new Float32Array(0), b).length, 0);
  assert.throws(() => generalizedBoxIou(a, new Float32Array([1, 1, 0, 0])), (e) => e instanceof DetsegInputError && /b: box 0/.test(e.message));
});
