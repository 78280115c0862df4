import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import type { SetTarget } from '../../../src/models/detr/matcher.js';
import { setLoss } from '../../../src/models/detr/set-loss.js';
import { mulberry32 } from '../../../src/util/random.js';

const B = 2, N = 3, C = 2, K = C + 1;

/** GIoU of two (cx, cy, w, h) boxes, written out again. */
function giou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const [ax1, ay1, ax2, ay2] = [a[0] - a[2] / 2, a[1] - a[3] / 2, a[0] + a[2] / 2, a[1] + a[3] / 2];
  const [bx1, by1, bx2, by2] = [b[0] - b[2] / 2, b[1] - b[3] / 2, b[0] + b[2] / 2, b[1] + b[3] / 2];
  const inter = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1)) * Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  const hull = (Math.max(ax2, bx2) - Math.min(ax1, bx1)) * (Math.max(ay2, by2) - Math.min(ay1, by1));
  return inter / union - (hull - union) / hull;
}

/** Every injective map of m objects into n queries. */
function injections(m: number, n: number): number[][] {
  if (m === 0) return [[]];
  return injections(m - 1, n).flatMap((p) => Array.from({ length: n }, (_, q) => q).filter((q) => !p.includes(q)).map((q) => [...p, q]));
}

/** The loss terms by naive loops: brute-force matching over every injection, then the three sums. */
function naiveLoss(logits: Float32Array, boxes: Float32Array, targets: SetTarget[], noObjectWeight: number) {
  const prob = (b: number, q: number) => {
    const row = Array.from({ length: K }, (_, c) => logits[(b * N + q) * K + c]);
    const z = row.reduce((s, x) => s + Math.exp(x), 0);
    return row.map((x) => Math.exp(x) / z);
  };
  const box = (b: number, q: number) => Array.from(boxes.subarray((b * N + q) * 4, (b * N + q) * 4 + 4));
  let ceNum = 0, ceDen = 0, l1 = 0, g = 0, objects = 0;
  const assigned: number[][] = [];
  targets.forEach((t, b) => {
    const m = t.labels.length;
    objects += m;
    let best: number[] = [], bestCost = Infinity;
    for (const p of injections(m, N)) {
      let cost = 0;
      p.forEach((q, j) => {
        const tb = Array.from(t.boxes.subarray(4 * j, 4 * j + 4));
        cost += -prob(b, q)[t.labels[j]] + 5 * box(b, q).reduce((s, v, k) => s + Math.abs(v - tb[k]), 0) - 2 * giou(box(b, q), tb);
      });
      if (cost < bestCost) [best, bestCost] = [p, cost];
    }
    assigned.push(best);
    for (let q = 0; q < N; q++) {
      const j = best.indexOf(q);
      const cls = j < 0 ? C : t.labels[j];
      const w = j < 0 ? noObjectWeight : 1;
      ceNum += -w * Math.log(prob(b, q)[cls]);
      ceDen += w;
      if (j >= 0) {
        const tb = Array.from(t.boxes.subarray(4 * j, 4 * j + 4));
        l1 += box(b, q).reduce((s, v, k) => s + Math.abs(v - tb[k]), 0);
        g += 1 - giou(box(b, q), tb);
      }
    }
  });
  return { ce: ceNum / ceDen, l1: l1 / Math.max(1, objects), giou: g / Math.max(1, objects), assigned };
}

test('set loss equals naive loops: brute-force matching, no-object weight, normalisation by the objects of the batch', async () => {
  await initEngine();
  const random = mulberry32(12);
  const logits = Float32Array.from({ length: B * N * K }, () => random() * 4 - 2);
  const boxes = Float32Array.from({ length: B * N * 4 }, (_, i) => (i % 4 < 2 ? 0.2 + 0.6 * random() : 0.1 + 0.4 * random()));
  const targets: SetTarget[] = [
    { labels: Int32Array.of(1, 0), boxes: Float32Array.of(0.3, 0.3, 0.2, 0.3, 0.7, 0.6, 0.4, 0.2) },
    { labels: Int32Array.of(1), boxes: Float32Array.of(0.5, 0.4, 0.3, 0.3) },
  ];
  for (const noObjectWeight of [0.1, 1]) {
    const want = naiveLoss(logits, boxes, targets, noObjectWeight);
    const got = tf.tidy(() => {
      const r = setLoss(tf.tensor3d(logits, [B, N, K]), tf.tensor3d(boxes, [B, N, 4]), targets, { noObjectWeight });
      return { ce: r.ce.dataSync()[0], l1: r.l1.dataSync()[0], giou: r.giou.dataSync()[0], assigned: r.matches.map((m) => Array.from(m.objects.length ? Array.from({ length: m.objects.length }, (_, j) => m.queries[Array.from(m.objects).indexOf(j)]) : [])) };
    });
    assert.deepEqual(got.assigned, want.assigned, 'the matching');
    for (const k of ['ce', 'l1', 'giou'] as const) assert.ok(Math.abs(got[k] - want[k]) < 1e-5, `${k} (no-object weight ${noObjectWeight}): ${got[k]} vs ${want[k]}`);
  }
  // The 0.1 weight matters: the two weightings give different cross-entropies.
  assert.notEqual(naiveLoss(logits, boxes, targets, 0.1).ce.toFixed(6), naiveLoss(logits, boxes, targets, 1).ce.toFixed(6));
});

test('set loss without objects: every query is "no object", box terms are zero', async () => {
  await initEngine();
  const logits = Float32Array.from({ length: N * K }, (_, i) => (i % K) * 0.5);
  const boxes = new Float32Array(N * 4).fill(0.5);
  const r = tf.tidy(() => {
    const t = setLoss(tf.tensor3d(logits, [1, N, K]), tf.tensor3d(boxes, [1, N, 4]), [{ labels: new Int32Array(0), boxes: new Float32Array(0) }]);
    return [t.ce.dataSync()[0], t.l1.dataSync()[0], t.giou.dataSync()[0]];
  });
  // Logits (0, .5, 1): −log softmax of the last = log(1 + e^−.5 + e^−1); the weighted mean of equal terms is that term.
  assert.ok(Math.abs(r[0] - Math.log(1 + Math.exp(-0.5) + Math.exp(-1))) < 1e-5);
  assert.deepEqual(r.slice(1), [0, 0]);
});
