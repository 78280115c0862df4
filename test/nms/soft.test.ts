import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softNms } from '../../src/nms/soft.js';
import { nms } from '../../src/nms/greedy.js';
import { iouPair } from '../../src/boxes/iou.js';
import { randomBoxes, randomScores } from '../../src/boxes/random.js';
import { DetsegInputError } from '../../src/util/errors.js';

/** Bodla et al.'s Algorithm 1, transcribed: B, S, D as lists; threshold applied to D at the end. */
function naiveSoftNms(boxes: ArrayLike<number>, scores: ArrayLike<number>, method: 'linear' | 'gaussian', nt: number, sigma: number, threshold: number): { indices: number[]; scores: number[] } {
  const B: number[] = Array.from({ length: scores.length }, (_, i) => i);
  const S = Array.from(scores, Number);
  const D: number[] = [];
  const DS: number[] = [];
  while (B.length > 0) {
    let m = B[0];
    for (const i of B) if (S[i] > S[m] || (S[i] === S[m] && i < m)) m = i;
    D.push(m);
    DS.push(S[m]);
    B.splice(B.indexOf(m), 1);
    for (const i of B) {
      const iou = iouPair(boxes[4 * m], boxes[4 * m + 1], boxes[4 * m + 2], boxes[4 * m + 3], boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]);
      S[i] *= method === 'linear' ? (iou > nt ? 1 - iou : 1) : Math.exp(-(iou * iou) / sigma);
    }
  }
  const keep = DS.map((s, k) => (s >= threshold ? k : -1)).filter((k) => k >= 0);
  return { indices: keep.map((k) => D[k]), scores: keep.map((k) => Math.fround(DS[k])) };
}

test('softNms: hand-worked decay of an overlapping box (IoU 81/119)', () => {
  const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 50, 50, 60, 60]);
  const iou = 81 / 119;
  const linear = softNms(boxes, [0.9, 0.8, 0.5]);
  assert.deepEqual(Array.from(linear.indices), [0, 2, 1]);
  assert.ok(Math.abs(linear.scores[2] - 0.8 * (1 - iou)) < 1e-6);
  const gaussian = softNms(boxes, [0.9, 0.8, 0.5], { method: 'gaussian', sigma: 0.5 });
  assert.deepEqual(Array.from(gaussian.indices), [0, 2, 1]);
  assert.ok(Math.abs(gaussian.scores[2] - 0.8 * Math.exp(-(iou * iou) / 0.5)) < 1e-6);
  // a threshold above the decayed score removes it
  assert.deepEqual(Array.from(softNms(boxes, [0.9, 0.8, 0.5], { scoreThreshold: 0.3 }).indices), [0, 2]);
});

test('softNms equals the paper’s algorithm on random inputs (linear and Gaussian, with ties)', () => {
  for (const [n, seed, levels] of [[200, 1, 0], [600, 2, 4]] as const) {
    const boxes = randomBoxes(n, seed, { extent: 300 });
    const scores = randomScores(n, seed + 1, levels);
    for (const [method, nt, sigma, threshold] of [['linear', 0.3, 0.5, 0.001], ['linear', 0.6, 0.5, 0.05], ['gaussian', 0.3, 0.5, 0.001], ['gaussian', 0.3, 0.1, 0.2]] as const) {
      const got = softNms(boxes, scores, { method, iouThreshold: nt, sigma, scoreThreshold: threshold });
      const expected = naiveSoftNms(boxes, scores, method, nt, sigma, threshold);
      assert.deepEqual(Array.from(got.indices), expected.indices, `${method} n=${n}`);
      assert.deepEqual(Array.from(got.scores), expected.scores);
      for (let k = 1; k < got.scores.length; k++) assert.ok(got.scores[k] <= got.scores[k - 1]);
    }
  }
});

test('softNms keeps greedy NMS’s boxes when every overlap is a near-duplicate decayed below the threshold', () => {
  // 30 spread-out boxes plus a copy of each shifted by 0.5 px (IoU ≈ 0.99): a copy's score decays to
  // about 1 % of itself, below the 0.1 threshold, exactly the boxes greedy NMS at 0.5 removes.
  const base = randomBoxes(30, 5, { extent: 2000 });
  const boxes = new Float32Array(4 * 60);
  boxes.set(base);
  for (let i = 0; i < 30; i++) boxes.set([base[4 * i] + 0.5, base[4 * i + 1], base[4 * i + 2] + 0.5, base[4 * i + 3]], 4 * (30 + i));
  const scores = randomScores(60, 6).map((s) => 0.5 + s / 2);
  const soft = softNms(boxes, scores, { iouThreshold: 0.5, scoreThreshold: 0.1 });
  assert.deepEqual(Array.from(soft.indices).sort((a, b) => a - b), Array.from(nms(boxes, scores, 0.5)).sort((a, b) => a - b));
});

test('softNms: empty, one box, bad input', () => {
  assert.equal(softNms(new Float32Array(0), []).indices.length, 0);
  assert.deepEqual(Array.from(softNms(new Float32Array([0, 0, 1, 1]), [0.5]).indices), [0]);
  assert.equal(softNms(new Float32Array([0, 0, 1, 1]), [0.0001]).indices.length, 0);
  const boxes = new Float32Array([0, 0, 1, 1]);
  assert.throws(() => softNms(boxes, [NaN]), (e) => e instanceof DetsegInputError && /scores: score 0/.test(e.message));
  assert.throws(() => softNms(boxes, [0.5], { sigma: 0 }), (e) => e instanceof DetsegInputError && /sigma/.test(e.message));
  assert.throws(() => softNms(boxes, [0.5], { iouThreshold: 2 }), (e) => e instanceof DetsegInputError && /iouThreshold/.test(e.message));
  assert.throws(() => softNms(boxes, [0.5], { method: 'hard' as 'linear' }), (e) => e instanceof DetsegInputError && /method/.test(e.message));
});
