import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../src/util/random.js';
import { confidenceCurve, confidenceGrid, meanConfidenceCurve, precisionEnvelope, precisionRecallCurve } from '../../src/eval/curves.js';

test('precisionRecallCurve: hand-worked (TP, FP, TP, TP, FP with 4 objects)', () => {
  const c = precisionRecallCurve([1, 0, 1, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.5], 4);
  assert.deepEqual(Array.from(c.precision), [1, 1 / 2, 2 / 3, 3 / 4, 3 / 5]);
  assert.deepEqual(Array.from(c.recall), [1 / 4, 1 / 4, 2 / 4, 3 / 4, 3 / 4]);
  assert.deepEqual(Array.from(c.scores), [0.9, 0.8, 0.7, 0.6, 0.5]);
  assert.deepEqual(Array.from(precisionRecallCurve([1], [0.5], 0).recall), [0]);
  assert.throws(() => precisionRecallCurve([1, 0], [0.5], 2), /2 outcomes but 1 scores/);
});

test('precisionEnvelope: sentinels and running maximum from the right (hand-worked)', () => {
  const e = precisionEnvelope([1 / 4, 1 / 4, 2 / 4, 3 / 4, 3 / 4], [1, 1 / 2, 2 / 3, 3 / 4, 3 / 5]);
  assert.deepEqual(Array.from(e.recall), [0, 1 / 4, 1 / 4, 2 / 4, 3 / 4, 3 / 4, 1]);
  assert.deepEqual(Array.from(e.precision), [1, 1, 3 / 4, 3 / 4, 3 / 4, 3 / 5, 0]);
  const empty = precisionEnvelope([], []);
  assert.deepEqual(Array.from(empty.recall), [0, 1]);
  assert.deepEqual(Array.from(empty.precision), [0, 0]);
});

test('confidenceCurve: hand-worked thresholds', () => {
  // scores .9 (TP) .6 (FP) .6 (TP) .2 (FP); 3 objects
  const c = confidenceCurve([1, 0, 1, 0], [0.9, 0.6, 0.6, 0.2], 3, Float64Array.of(0, 0.5, 0.6, 0.95));
  assert.deepEqual(Array.from(c.precision), [2 / 4, 2 / 3, 2 / 3, 1]);
  assert.deepEqual(Array.from(c.recall), [2 / 3, 2 / 3, 2 / 3, 0]);
  assert.deepEqual(Array.from(c.f1), [(2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3), 2 / 3, 2 / 3, 0]);
  assert.throws(() => confidenceCurve([1, 1], [0.1, 0.2], 2), /decreasing/);
});

test('confidenceCurve equals a naive count at every threshold on random data; mean curve equals the mean', () => {
  const random = mulberry32(7);
  const grid = confidenceGrid(101);
  assert.equal(grid[0], 0);
  assert.equal(grid[100], 1);
  assert.equal(grid[37], 0.37);
  const curves = [];
  for (let trial = 0; trial < 20; trial++) {
    const k = Math.floor(random() * 30);
    const scores = Float64Array.from({ length: k }, () => Math.floor(random() * 20) / 20).sort().reverse();
    const isTp = Uint8Array.from({ length: k }, () => (random() < 0.5 ? 1 : 0));
    const numGt = 1 + Math.floor(random() * 20);
    const c = confidenceCurve(isTp, scores, numGt, grid);
    for (let j = 0; j < grid.length; j++) {
      let taken = 0, tp = 0;
      for (let i = 0; i < k; i++) if (scores[i] >= grid[j]) { taken++; tp += isTp[i]; }
      const p = taken ? tp / taken : 1;
      const r = tp / numGt;
      assert.equal(c.precision[j], p);
      assert.equal(c.recall[j], r);
      assert.equal(c.f1[j], p + r ? (2 * p * r) / (p + r) : 0);
    }
    curves.push(c);
  }
  const mean = meanConfidenceCurve(curves);
  for (let j = 0; j < grid.length; j += 10) {
    const want = curves.reduce((s, c) => s + c.f1[j], 0) / curves.length;
    assert.ok(Math.abs(mean.f1[j] - want) < 1e-12);
  }
  const best = Math.max(...mean.f1);
  assert.equal(mean.f1[mean.bestIndex], best);
  assert.equal(mean.f1.lastIndexOf(best), mean.bestIndex);
});
