import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iouPair } from '../../../src/boxes/iou.js';
import { selectProposals } from '../../../src/models/detr/proposal-selection.js';

/** The definition, cell by cell: suppressed if a better-ranked cell's box overlaps it by IoU > t (xyxy IoU in float64); kept cells first, then suppressed ones, each by rank. */
function reference(scores: Float32Array, boxes: Float32Array, n: number, t?: number): number[] {
  const m = scores.length;
  const rank = Array.from({ length: m }, (_, k) => k).sort((x, y) => scores[y] - scores[x] || x - y);
  const xyxy = (k: number) => [boxes[4 * k] - boxes[4 * k + 2] / 2, boxes[4 * k + 1] - boxes[4 * k + 3] / 2, boxes[4 * k] + boxes[4 * k + 2] / 2, boxes[4 * k + 1] + boxes[4 * k + 3] / 2] as const;
  const suppressed = rank.map((k, i) => t !== undefined && rank.slice(0, i).some((j) => iouPair(...xyxy(j), ...xyxy(k)) > t));
  const ordered = rank.map((k, i) => ({ k, i, s: suppressed[i] ? 1 : 0 })).sort((a, b) => a.s - b.s || a.i - b.i);
  return ordered.slice(0, n).map((o) => o.k);
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

test('selectProposals by hand: Fast NMS suppresses a cell overlapped by a better one even if that one is suppressed itself; suppressed cells fill up last', () => {
  // A (best), B (overlaps A), C (overlaps B, not A), D (apart)
  const boxes = Float32Array.of(0.3, 0.5, 0.2, 0.2, 0.35, 0.5, 0.2, 0.2, 0.45, 0.5, 0.2, 0.2, 0.8, 0.8, 0.1, 0.1);
  const scores = Float32Array.of(0.9, 0.8, 0.7, 0.1);
  // IoU(A, B) = 0.15·0.2 / (0.08 − 0.03) = 0.6, IoU(B, C) = 0.2·0.1 /(0.08 − 0.02) = 1/3, IoU(A, C) = 0.05·0.2 / (0.08 − 0.01) = 1/7
  assert.deepEqual(Array.from(selectProposals(scores, boxes, 4)), [0, 1, 2, 3], 'by score without a threshold');
  assert.deepEqual(Array.from(selectProposals(scores, boxes, 4, 0.5)), [0, 2, 3, 1], 'B suppressed by A');
  assert.deepEqual(Array.from(selectProposals(scores, boxes, 4, 0.3)), [0, 3, 1, 2], 'C suppressed by B, itself suppressed');
  assert.deepEqual(Array.from(selectProposals(scores, boxes, 2, 0.3)), [0, 3]);
  assert.deepEqual(Array.from(selectProposals(scores, boxes, 4, 0.1)), [0, 3, 1, 2]);
  assert.throws(() => selectProposals(scores, boxes, 5), /5 proposals from 4 cells/);
  assert.throws(() => selectProposals(scores, boxes.subarray(4), 2), /12 box values for 4 cells/);
});

test('selectProposals: as the definition (float64 IoU of xyxy boxes, cell by cell) on seeded random crowded cells, with and without suppression, few and many proposals', () => {
  const random = seeded(5);
  for (let trial = 0; trial < 40; trial++) {
    const m = 8 + (trial % 5) * 10;
    const scores = Float32Array.from({ length: m }, () => Math.round(random() * 20) / 20); // ties too
    const boxes = Float32Array.from({ length: 4 * m }, (_, i) => (i % 4 < 2 ? 0.3 + 0.4 * random() : 0.05 + 0.3 * random()));
    for (const t of [undefined, 0.25, 0.55, 0.85]) {
      for (const n of [1, Math.floor(m / 3), m]) {
        assert.deepEqual(Array.from(selectProposals(scores, boxes, n, t)), reference(scores, boxes, n, t), `trial ${trial}, ${m} cells, n ${n}, threshold ${t}`);
      }
    }
  }
});
