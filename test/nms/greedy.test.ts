import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nms } from '../../src/nms/greedy.js';
import { randomBoxes, randomScores } from '../../src/boxes/random.js';
import { mulberry32 } from '../../src/util/random.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { naiveNms } from './reference.js';

test('nms: hand-worked example from the lecture’s three steps', () => {
  // A (0.9) and B (0.8) overlap with IoU 81/119 ≈ 0.68; C (0.7) is far away; D (0.95) overlaps C with IoU 1/7
  const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 50, 50, 60, 60, 55, 55, 65, 65]);
  const scores = new Float32Array([0.9, 0.8, 0.7, 0.95]);
  assert.deepEqual(Array.from(nms(boxes, scores, 0.5)), [3, 0, 2]);
  assert.deepEqual(Array.from(nms(boxes, scores, 0.1)), [3, 0]);
  assert.deepEqual(Array.from(nms(boxes, scores, 0.7)), [3, 0, 1, 2]);
});

test('nms keeps the same boxes as the naive O(N²) loop on random inputs (grid and plain paths)', () => {
  for (const [n, seed] of [[50, 1], [300, 2], [1500, 3], [4000, 4]] as const) {
    const boxes = randomBoxes(n, seed, { extent: n < 500 ? 200 : 1000 });
    const scores = randomScores(n, seed + 50);
    for (const t of [0, 0.3, 0.5, 0.7, 1]) {
      assert.deepEqual(Array.from(nms(boxes, scores, t)), naiveNms(boxes, scores, t), `n=${n} threshold ${t}`);
    }
  }
});

test('nms equals the naive loop with boxes of very unequal sizes, negative coordinates and tied scores', () => {
  const random = mulberry32(9);
  const n = 800;
  const boxes = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const x = random() * 600 - 300, y = random() * 600 - 300;
    const w = i % 10 === 0 ? 200 + random() * 400 : random() * 30, h = i % 7 === 0 ? random() * 500 : random() * 30;
    boxes.set([x, y, x + w, y + h], 4 * i);
  }
  const tied = randomScores(n, 10, 5); // only 5 distinct scores
  for (const t of [0.2, 0.5, 0.6]) assert.deepEqual(Array.from(nms(boxes, tied, t)), naiveNms(boxes, tied, t), `threshold ${t}`);
  // so unequal that the grid is abandoned for the plain loop
  const huge = randomBoxes(600, 11, { extent: 100, minSize: 1, maxSize: 900 });
  assert.deepEqual(Array.from(nms(huge, tied.subarray(0, 600), 0.4)), naiveNms(huge, tied.subarray(0, 600), 0.4));
});

test('nms edge cases: empty, one box, degenerate boxes, identical boxes with equal scores', () => {
  assert.equal(nms(new Float32Array(0), new Float32Array(0), 0.5).length, 0);
  assert.deepEqual(Array.from(nms(new Float32Array([1, 2, 3, 4]), [0.3], 0.5)), [0]);
  // degenerate boxes (a point, a line) have IoU 0 with everything: all kept
  const degenerate = new Float32Array([5, 5, 5, 5, 5, 5, 5, 5, 0, 0, 0, 10]);
  assert.deepEqual(Array.from(nms(degenerate, [0.1, 0.2, 0.3], 0)), [2, 1, 0]);
  // 300 identical boxes with equal scores: the first one (input order) survives — grid path
  const same = new Float32Array(4 * 300);
  for (let i = 0; i < 300; i++) same.set([10, 10, 20, 30], 4 * i);
  assert.deepEqual(Array.from(nms(same, new Float32Array(300).fill(0.5), 0.9)), [0]);
  // ties broken by input order, output sorted by decreasing score
  assert.deepEqual(Array.from(nms(new Float32Array([0, 0, 1, 1, 5, 5, 6, 6, 9, 9, 10, 10]), [0.5, 0.9, 0.5], 0.5)), [1, 0, 2]);
});

test('nms on a tiling of touching squares: IoU 0 between neighbours, so nothing is dropped even at threshold 0 (grid path)', () => {
  const n = 20 * 20;
  const tiles = new Float32Array(4 * 2 * n);
  for (let r = 0; r < 20; r++) for (let c = 0; c < 20; c++) tiles.set([c * 7, r * 7, c * 7 + 7, r * 7 + 7], 4 * (r * 20 + c));
  // a second layer shifted by half a tile overlaps four tiles each
  for (let r = 0; r < 20; r++) for (let c = 0; c < 20; c++) tiles.set([c * 7 + 3.5, r * 7 + 3.5, c * 7 + 10.5, r * 7 + 10.5], 4 * (n + r * 20 + c));
  const scores = randomScores(2 * n, 13, 3);
  assert.equal(nms(tiles.subarray(0, 4 * n), scores.subarray(0, n), 0).length, n);
  for (const t of [0, 0.1, 0.2, 0.25]) assert.deepEqual(Array.from(nms(tiles, scores, t)), naiveNms(tiles, scores, t), `threshold ${t}`);
});

test('nms rejects bad input with the field named', () => {
  const boxes = new Float32Array([0, 0, 1, 1, 2, 2, 3, 3]);
  const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e) => e instanceof DetsegInputError && re.test(e.message));
  bad(() => nms(boxes, [0.1, NaN], 0.5), /scores: score 1 is not a finite number/);
  bad(() => nms(new Float32Array([0, 0, 1, 1, 3, 0, 2, 1]), [0.1, 0.2], 0.5), /boxes: box 1 has negative width/);
  bad(() => nms(new Float32Array([0, 0, 1, NaN]), [0.1], 0.5), /boxes: box 0 has a non-finite/);
  bad(() => nms(new Float32Array(7), [0.1], 0.5), /boxes: expected 4 numbers per box/);
  bad(() => nms(boxes, [0.1], 0.5), /scores: has 1 scores for 2 boxes/);
  bad(() => nms(boxes, [0.1, 0.2], 1.5), /iouThreshold: must be a number in \[0, 1\]/);
  bad(() => nms(boxes, [0.1, 0.2], -0.1), /iouThreshold/);
});
