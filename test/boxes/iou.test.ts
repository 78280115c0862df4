import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxArea, boxIou, iouPair } from '../../src/boxes/iou.js';
import { randomBoxes } from '../../src/boxes/random.js';
import { mulberry32 } from '../../src/util/random.js';
import { DetsegInputError } from '../../src/util/errors.js';

/** Obviously-correct reference: intersection rectangle, areas, ratio, for every pair. */
function naiveIou(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const n = a.length / 4, m = b.length / 4;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const [ax1, ay1, ax2, ay2] = [a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3]];
      const [bx1, by1, bx2, by2] = [b[4 * j], b[4 * j + 1], b[4 * j + 2], b[4 * j + 3]];
      const w = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
      const h = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
      const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - w * h;
      out[i * m + j] = union > 0 ? (w * h) / union : 0;
    }
  }
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  assert.equal(actual.length, expected.length);
  for (let k = 0; k < actual.length; k++) assert.ok(Math.abs(actual[k] - expected[k]) <= tol, `element ${k}: ${actual[k]} vs ${expected[k]}`);
}

test('boxIou: hand-worked example (two 10×10 boxes overlapping 5×5 → 25/175 = 1/7)', () => {
  const iou = boxIou(new Float32Array([0, 0, 10, 10]), new Float32Array([5, 5, 15, 15, 0, 0, 10, 10, 10, 0, 20, 10]));
  assertClose(iou, [1 / 7, 1, 0], 1e-7);
  assert.equal(iouPair(0, 0, 10, 10, 5, 5, 15, 15), 1 / 7);
});

test('boxIou equals the naive double loop on random boxes of mixed sizes (several seeds)', () => {
  for (const seed of [1, 2, 3]) {
    const a = randomBoxes(300, seed, { extent: 200, minSize: 0, maxSize: 60 });
    // b mixes small boxes, a few huge ones and boxes at negative coordinates
    const random = mulberry32(seed + 100);
    const b = new Float32Array(4 * 200);
    for (let j = 0; j < 200; j++) {
      const x = random() * 260 - 30, y = random() * 260 - 30;
      const w = j % 17 === 0 ? 150 + random() * 100 : random() * 40, h = random() * 80;
      b.set([x, y, x + w, y + h], 4 * j);
    }
    assertClose(boxIou(a, b), naiveIou(a, b), 1e-6);
    assertClose(boxIou(b, a), naiveIou(b, a), 1e-6);
  }
});

test('boxIou equals the naive loop when b mixes tiny and huge boxes (too unequal for a grid: plain loop)', () => {
  const tiny = randomBoxes(60, 31, { extent: 1000, minSize: 0.5, maxSize: 2 });
  const huge = randomBoxes(40, 32, { extent: 100, minSize: 800, maxSize: 1000 });
  const b = new Float32Array(4 * 100);
  b.set(tiny);
  b.set(huge, 4 * 60);
  const a = randomBoxes(200, 33, { extent: 1000, minSize: 1, maxSize: 300 });
  assertClose(boxIou(a, b), naiveIou(a, b), 1e-6);
});

test('boxIou edge cases: empty, one box, degenerate boxes, identical boxes, touching edges', () => {
  assert.equal(boxIou(new Float32Array(0), randomBoxes(3, 1)).length, 0);
  assert.equal(boxIou(randomBoxes(3, 1), new Float32Array(0)).length, 0);
  const one = new Float32Array([1, 2, 3, 4]);
  assertClose(boxIou(one, one), [1], 0);
  // a point and a zero-width line: IoU 0 with everything, including themselves
  const degenerate = new Float32Array([5, 5, 5, 5, 2, 0, 2, 10]);
  assertClose(boxIou(degenerate, degenerate), [0, 0, 0, 0], 0);
  assertClose(boxIou(degenerate, new Float32Array([0, 0, 10, 10])), [0, 0], 0);
  // touching edges share no area
  assertClose(boxIou(new Float32Array([0, 0, 1, 1]), new Float32Array([1, 0, 2, 1])), [0], 0);
  // several equal boxes in b (ties in the x1 sort)
  const same = new Float32Array([0, 0, 4, 4, 0, 0, 4, 4, 0, 0, 2, 4]);
  assertClose(boxIou(one, same), naiveIou(one, same), 1e-7);
});

test('boxIou validates its inputs; boxArea is width × height', () => {
  assert.throws(() => boxIou(new Float32Array([0, 0, 1]), one()), (e) => e instanceof DetsegInputError && /a: expected 4 numbers/.test(e.message));
  assert.throws(() => boxIou(one(), new Float32Array([0, 0, 1, NaN])), (e) => e instanceof DetsegInputError && /b: box 0 has a non-finite/.test(e.message));
  assert.throws(() => boxIou(one(), new Float32Array([0, 0, 1, 1, 3, 0, 1, 1])), (e) => e instanceof DetsegInputError && /b: box 1 has negative width/.test(e.message));
  assert.deepEqual(Array.from(boxArea(new Float32Array([0, 0, 2, 3, 1, 1, 1, 5]))), [6, 0]);
});

function one(): Float32Array {
  return new Float32Array([0, 0, 1, 1]);
}
