import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matcher } from '../../../src/anchors/matcher.js';
import { BalancedSampler } from '../../../src/anchors/sampler.js';
import { BoxCoder } from '../../../src/boxes/coder.js';
import { randomBoxes } from '../../../src/boxes/random.js';
import { assignRpnTargets } from '../../../src/models/detection/rpn-targets.js';
import { sampleRoiTargets } from '../../../src/models/detection/roi-targets.js';

/** IoU of boxes i of a and j of b by the definition (intersection / union), in double precision. */
function naiveIou(a: Float32Array, i: number, b: Float32Array, j: number): number {
  const iw = Math.max(0, Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]));
  const ih = Math.max(0, Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]));
  const area = (x: Float32Array, k: number) => (x[4 * k + 2] - x[4 * k]) * (x[4 * k + 3] - x[4 * k + 1]);
  const inter = iw * ih;
  return inter / (area(a, i) + area(b, j) - inter);
}

/** The lecture's encoding of g relative to p with weights w, by the formula. */
function naiveEncode(p: ArrayLike<number>, g: ArrayLike<number>, w: number[]): number[] {
  const pw = p[2] - p[0], ph = p[3] - p[1], gw = g[2] - g[0], gh = g[3] - g[1];
  return [w[0] * (g[0] + gw / 2 - p[0] - pw / 2) / pw, w[1] * (g[1] + gh / 2 - p[1] - ph / 2) / ph, w[2] * Math.log(gw / pw), w[3] * Math.log(gh / ph)];
}

/**
 * Naive RPN labels: 1 when the best IoU ≥ 0.7 or the anchor is (one of) a ground truth's best anchors,
 * 0 when the best IoU < 0.3, −1 otherwise; and the ground truth of highest IoU (first on ties).
 */
function naiveRpnLabels(anchors: Float32Array, gt: Float32Array): { label: number[]; best: number[] } {
  const n = anchors.length / 4, m = gt.length / 4;
  const label: number[] = [], best: number[] = [];
  const bestOfGt = Array.from({ length: m }, (_, g) => Math.max(...Array.from({ length: n }, (_, a) => naiveIou(gt, g, anchors, a))));
  for (let a = 0; a < n; a++) {
    let top = -1, arg = -1;
    for (let g = 0; g < m; g++) {
      const q = naiveIou(gt, g, anchors, a);
      if (q > top) { top = q; arg = g; }
    }
    const lowQuality = Array.from({ length: m }, (_, g) => Math.abs(naiveIou(gt, g, anchors, a) - bestOfGt[g]) < 1e-6).some(Boolean);
    label.push(top >= 0.7 || lowQuality ? 1 : top < 0.3 ? 0 : -1);
    best.push(arg);
  }
  return { label, best };
}

test('RPN targets agree with a naive loop: sampled positives/negatives carry the naive labels, targets the formula', () => {
  for (const seed of [1, 2, 3]) {
    const anchors = randomBoxes(400, seed, { extent: 120, minSize: 8, maxSize: 70 });
    const gt = randomBoxes(5, seed + 100, { extent: 100, minSize: 10, maxSize: 60 });
    const sampler = new BalancedSampler({ batchSizePerImage: 64, positiveFraction: 0.5, seed });
    const t = assignRpnTargets(anchors, gt, new Matcher(), sampler, new BoxCoder());
    const { label, best } = naiveRpnLabels(anchors, gt);
    const naivePositives = label.filter((l) => l === 1).length;
    const naiveNegatives = label.filter((l) => l === 0).length;
    assert.equal(t.positive.length, Math.min(32, naivePositives));
    assert.equal(t.negative.length, Math.min(64 - t.positive.length, naiveNegatives));
    assert.ok(t.positive.length > 0);
    for (const a of t.positive) assert.equal(label[a], 1, `anchor ${a} sampled positive`);
    for (const a of t.negative) assert.equal(label[a], 0, `anchor ${a} sampled negative`);
    t.positive.forEach((a, s) => {
      const expected = naiveEncode(anchors.subarray(4 * a, 4 * a + 4), gt.subarray(4 * best[a], 4 * best[a] + 4), [1, 1, 1, 1]);
      for (let k = 0; k < 4; k++) assert.ok(Math.abs(t.positiveTargets[4 * s + k] - expected[k]) < 1e-5, `target ${s}.${k}`);
    });
  }
});

test('RPN targets with no ground truth: every sampled anchor is negative', () => {
  const anchors = randomBoxes(50, 4, { extent: 100 });
  const t = assignRpnTargets(anchors, new Float32Array(0), new Matcher(), new BalancedSampler({ batchSizePerImage: 20 }), new BoxCoder());
  assert.equal(t.positive.length, 0);
  assert.equal(t.negative.length, 20);
  assert.equal(t.positiveTargets.length, 0);
});

test('RoI targets agree with a naive loop: ground truth appended, IoU ≥ 0.5 foreground with its label, ≤ 25 % foreground, weighted targets', () => {
  for (const seed of [5, 6]) {
    const proposals = randomBoxes(300, seed, { extent: 110, minSize: 6, maxSize: 60 });
    const gt = randomBoxes(4, seed + 50, { extent: 90, minSize: 12, maxSize: 50 });
    const gtLabels = Int32Array.from([1, 3, 2, 1]);
    const sampler = new BalancedSampler({ batchSizePerImage: 64, positiveFraction: 0.25, seed });
    const weights: [number, number, number, number] = [10, 10, 5, 5];
    const t = sampleRoiTargets(proposals, gt, gtLabels, new Matcher({ highThreshold: 0.5, lowThreshold: 0.5, allowLowQualityMatches: false }), sampler, new BoxCoder({ weights }));
    // naive: candidates = proposals then gt
    const cand = new Float32Array([...proposals, ...gt]);
    const n = cand.length / 4;
    const bestIou: number[] = [], bestGt: number[] = [];
    for (let c = 0; c < n; c++) {
      let top = -1, arg = -1;
      for (let g = 0; g < 4; g++) {
        const q = naiveIou(gt, g, cand, c);
        if (q > top) { top = q; arg = g; }
      }
      bestIou.push(top);
      bestGt.push(arg);
    }
    const fg = bestIou.filter((q) => q >= 0.5).length;
    assert.ok(fg >= 4, 'the ground-truth boxes themselves are foreground');
    assert.equal(t.numPositive, Math.min(16, fg));
    assert.equal(t.labels.length, 64);
    for (let i = 0; i < t.labels.length; i++) {
      // find the candidate this RoI is (boxes are copied exactly)
      const box = Array.from(t.boxes.subarray(4 * i, 4 * i + 4));
      const c = Array.from({ length: n }, (_, k) => k).find((k) => box.every((v, q) => v === cand[4 * k + q]))!;
      if (i < t.numPositive) {
        assert.ok(bestIou[c] >= 0.5);
        assert.equal(t.labels[i], gtLabels[bestGt[c]]);
        assert.equal(t.matchedGt[i], bestGt[c]);
        const expected = naiveEncode(box, gt.subarray(4 * bestGt[c], 4 * bestGt[c] + 4), weights);
        for (let k = 0; k < 4; k++) assert.ok(Math.abs(t.regressionTargets[4 * i + k] - expected[k]) < 1e-4);
      } else {
        assert.ok(bestIou[c] < 0.5);
        assert.equal(t.labels[i], 0);
        assert.equal(t.matchedGt[i], -1);
        assert.deepEqual(Array.from(t.regressionTargets.subarray(4 * i, 4 * i + 4)), [0, 0, 0, 0]);
      }
    }
  }
});
