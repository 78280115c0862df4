import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { ssdLoss } from '../../../src/models/ssd/loss.js';
import type { SsdTargets } from '../../../src/models/ssd/targets.js';
import { mulberry32 } from '../../../src/util/random.js';

/** The multibox loss written out: per box log-softmax, mining by sorting the negatives, Smooth L1 (β = 1), over N matches. */
function naiveMultibox(logits: number[][][], deltas: number[][][], targets: SsdTargets[], ratio: number): { classification: number; bbox_regression: number } {
  let ce = 0, l1 = 0, matches = 0;
  targets.forEach((t, b) => {
    const k = t.labels.length;
    const logp = logits[b].map((row) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      return row.map((v) => v - lse);
    });
    const positives = [...t.labels.keys()].filter((d) => t.labels[d] > 0);
    const negatives = [...t.labels.keys()].filter((d) => t.labels[d] === 0).sort((p, q) => logp[p][0] - logp[q][0] || p - q); // highest −log p(bg) first
    const chosen = [...positives, ...negatives.slice(0, Math.min(negatives.length, ratio * positives.length))];
    for (const d of chosen) ce -= logp[d][t.labels[d]];
    for (const d of positives) {
      for (let q = 0; q < 4; q++) {
        const x = Math.abs(deltas[b][d][q] - t.deltas[4 * d + q]);
        l1 += x < 1 ? 0.5 * x * x : x - 0.5;
      }
    }
    matches += positives.length;
    assert.equal(k, logits[b].length);
  });
  return { classification: ce / Math.max(1, matches), bbox_regression: l1 / Math.max(1, matches) };
}

test('SSD multibox loss equals a naive loop: cross-entropy over positives and the 3:1 hard negatives, Smooth L1 over positives, both over N', async () => {
  await initEngine();
  const random = mulberry32(21);
  const n = 3, k = 40, c1 = 4;
  const logits = Array.from({ length: n }, () => Array.from({ length: k }, () => Array.from({ length: c1 }, () => random() * 6 - 3)));
  const deltas = Array.from({ length: n }, () => Array.from({ length: k }, () => Array.from({ length: 4 }, () => random() * 4 - 2)));
  // image 0: 5 positives, image 1: none, image 2: 12 positives (3·12 = 36 > 28 negatives: all of them)
  const targets: SsdTargets[] = [5, 0, 12].map((count) => {
    const labels = new Int32Array(k);
    for (let p = 0; p < count; p++) labels[Math.floor((p * k) / Math.max(1, count))] = 1 + Math.floor(random() * 3);
    return { labels, deltas: Float32Array.from({ length: 4 * k }, (_, i) => (labels[i >> 2] > 0 ? random() * 4 - 2 : 0)), numPositive: count };
  });
  const losses = ssdLoss(tf.tensor3d(logits), tf.tensor3d(deltas), targets, 3);
  const naive = naiveMultibox(logits, deltas, targets, 3);
  for (const name of ['classification', 'bbox_regression'] as const) {
    const got = losses[name].dataSync()[0];
    assert.ok(Math.abs(got - naive[name]) < 1e-5 * Math.max(1, naive[name]), `${name}: ${got} vs naive ${naive[name]}`);
  }
});
