import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoxCoder } from '../../../src/boxes/coder.js';
import { postprocessDetections } from '../../../src/models/detection/postprocess.js';

test('postprocess, hand-worked: per-class boxes from class deltas, background and low scores dropped, NMS per class, sorted', () => {
  // 3 RoIs, 2 classes (+ background). Zero deltas decode to the RoI itself.
  const rois = Float32Array.from([10, 10, 30, 30, 12, 12, 32, 32, 60, 60, 80, 80]);
  const probabilities = Float32Array.from([
    0.1, 0.8, 0.1, // RoI 0: class 1 at 0.8, class 2 at 0.1
    0.2, 0.7, 0.1, // RoI 1: class 1 at 0.7 (IoU 0.68 with RoI 0 → suppressed), class 2 at 0.1
    0.5, 0.04, 0.46, // RoI 2: class 1 at 0.04 (below 0.05, dropped), class 2 at 0.46
  ]);
  const deltas = new Float32Array(3 * 12);
  // RoI 2, class 2: shift right by 0.1 of the width with weight 10 → t_x = 1 → +2 px
  deltas[2 * 12 + 2 * 4] = 1;
  const coder = new BoxCoder({ weights: [10, 10, 5, 5] });
  const d = postprocessDetections(probabilities, deltas, rois, 2, 100, 100, coder, { scoreThreshold: 0.05, nmsThreshold: 0.5, detectionsPerImage: 10 });
  // Candidates above 0.05: (R0, c1, 0.8), (R0, c2, 0.1), (R1, c1, 0.7), (R1, c2, 0.1), (R2, c2, 0.46).
  // R0 and R1 overlap by 18²/(2·20² − 18²) = 0.68 > 0.5: in class 1 R1 (0.7) falls to R0 (0.8); in class
  // 2 the tie at 0.1 keeps R0 (input order) and drops R1. R2's class-2 box is moved 0.1·20 = 2 px right.
  assert.deepEqual(Array.from(d.labels), [1, 2, 2]);
  assert.deepEqual(Array.from(d.scores).map((s) => +s.toFixed(6)), [0.8, 0.46, 0.1]);
  assert.deepEqual(Array.from(d.boxes), [10, 10, 30, 30, 62, 60, 82, 80, 10, 10, 30, 30]);
});

test('postprocess: boxes are clipped to the image, detectionsPerImage caps the count', () => {
  const rois = Float32Array.from([-5, -5, 20, 20, 90, 90, 130, 130]);
  const probabilities = Float32Array.from([0, 1, 0, 1]);
  const d = postprocessDetections(probabilities, new Float32Array(16), rois, 1, 100, 100, new BoxCoder({ weights: [10, 10, 5, 5] }), { detectionsPerImage: 1 });
  assert.equal(d.labels.length, 1);
  assert.deepEqual(Array.from(d.boxes), [0, 0, 20, 20]);
});

test('postprocess: candidatesPerClass keeps the k best of each class before NMS, as a naive ranking', () => {
  // 40 disjoint RoIs on a row (no NMS interaction), 2 classes, seeded scores with ties.
  const k = 40, c1 = 3;
  const rois = new Float32Array(4 * k);
  for (let r = 0; r < k; r++) rois.set([r * 10, 0, r * 10 + 8, 8], 4 * r);
  const probabilities = new Float32Array(k * c1);
  let seed = 7;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 20) / 40; // 0 … 0.475 in steps of 0.025
  for (let r = 0; r < k; r++) for (let c = 1; c < c1; c++) probabilities[r * c1 + c] = next();
  const coder = new BoxCoder({ weights: [10, 10, 5, 5] });
  const options = { scoreThreshold: 0.05, nmsThreshold: 0.5, detectionsPerImage: 1000 };
  const d = postprocessDetections(probabilities, new Float32Array(4 * k * c1), rois, 2, 1000, 1000, coder, { ...options, candidatesPerClass: 5 });
  for (const c of [1, 2]) {
    // naive: every RoI of class c above the threshold, by decreasing score then RoI index, the first 5
    const expected = Array.from({ length: k }, (_, r) => r).filter((r) => probabilities[r * c1 + c] > 0.05).sort((a, b) => probabilities[b * c1 + c] - probabilities[a * c1 + c] || a - b).slice(0, 5);
    const got = Array.from(d.labels).flatMap((l, i) => (l === c ? [d.boxes[4 * i] / 10] : []));
    assert.deepEqual(got.sort((a, b) => a - b), expected.sort((a, b) => a - b), `class ${c}`);
  }
  // without the cap every candidate survives (the boxes are disjoint)
  const all = postprocessDetections(probabilities, new Float32Array(4 * k * c1), rois, 2, 1000, 1000, coder, options);
  let above = 0;
  for (let r = 0; r < k; r++) for (let c = 1; c < c1; c++) if (probabilities[r * c1 + c] > 0.05) above++;
  assert.equal(all.labels.length, above);
});
