import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchedNms } from '../../src/nms/batched.js';
import { nms } from '../../src/nms/greedy.js';
import { randomBoxes, randomScores } from '../../src/boxes/random.js';
import { mulberry32 } from '../../src/util/random.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { naiveNms } from './reference.js';

function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * classes);
  return out;
}

test('batchedNms: a box survives a better box of another class', () => {
  const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 0, 0, 10, 10]);
  const scores = [0.9, 0.8, 0.7];
  assert.deepEqual(Array.from(batchedNms(boxes, scores, [1, 2, 1], 0.5)), [0, 1]);
  assert.deepEqual(Array.from(batchedNms(boxes, scores, [1, 2, 1], 0.5, { agnostic: true })), [0]);
});

test('batchedNms equals the naive per-class loop for every strategy, on random inputs', () => {
  for (const [n, classes, seed] of [[40, 3, 1], [300, 80, 2], [2000, 80, 3], [3000, 2, 4]] as const) {
    const boxes = randomBoxes(n, seed, { extent: 400 });
    const scores = randomScores(n, seed + 10, seed === 2 ? 7 : 0); // seed 2: heavily tied scores
    const labels = randomLabels(n, classes, seed + 20);
    for (const t of [0.3, 0.5, 0.8]) {
      const expected = naiveNms(boxes, scores, t, labels);
      for (const strategy of ['auto', 'single-pass', 'per-class'] as const) {
        assert.deepEqual(Array.from(batchedNms(boxes, scores, labels, t, { strategy })), expected, `n=${n} classes=${classes} t=${t} ${strategy}`);
      }
    }
  }
});

test('batchedNms: arbitrary integer labels (negative, sparse), agnostic = nms, empty and one box', () => {
  const boxes = randomBoxes(500, 7, { extent: 150 });
  const scores = randomScores(500, 8);
  const labels = Array.from(randomLabels(500, 4, 9), (c) => [-3, 90, 2 ** 40, 2 ** 40 + 2 ** 32][c]); // the last two equal modulo 2^32
  for (const strategy of ['single-pass', 'per-class'] as const) {
    assert.deepEqual(Array.from(batchedNms(boxes, scores, labels, 0.5, { strategy })), naiveNms(boxes, scores, 0.5, labels), strategy);
  }
  assert.deepEqual(Array.from(batchedNms(boxes, scores, labels, 0.5, { agnostic: true })), Array.from(nms(boxes, scores, 0.5)));
  assert.equal(batchedNms(new Float32Array(0), [], [], 0.5).length, 0);
  assert.deepEqual(Array.from(batchedNms(new Float32Array([0, 0, 1, 1]), [1], [5], 0.5, { strategy: 'per-class' })), [0]);
});

test('batchedNms rejects bad labels and bad boxes with the field named', () => {
  const boxes = new Float32Array([0, 0, 1, 1, 2, 2, 3, 3]);
  assert.throws(() => batchedNms(boxes, [0.1, 0.2], [1], 0.5), (e) => e instanceof DetsegInputError && /classes: has 1 labels for 2 boxes/.test(e.message));
  assert.throws(() => batchedNms(boxes, [0.1, 0.2], [1, 1.5], 0.5), (e) => e instanceof DetsegInputError && /classes: label 1 is not an integer/.test(e.message));
  assert.throws(() => batchedNms(boxes, [0.1, 0.2], [1, NaN], 0.5), (e) => e instanceof DetsegInputError && /classes: label 1/.test(e.message));
  assert.throws(() => batchedNms(boxes, [0.1, Infinity], [1, 1], 0.5), (e) => e instanceof DetsegInputError && /scores: score 1/.test(e.message));
  assert.throws(() => batchedNms(boxes, [0.1, 0.2], [1, 1], NaN), (e) => e instanceof DetsegInputError && /iouThreshold/.test(e.message));
});
