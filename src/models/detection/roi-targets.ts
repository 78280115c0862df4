import { BoxCoder } from '../../boxes/coder.js';
import { boxIou } from '../../boxes/iou.js';
import type { BalancedSampler } from '../../anchors/sampler.js';
import type { Matcher } from '../../anchors/matcher.js';

/** Sampled RoIs of one image with their training targets (positives first, then negatives). */
export interface RoiTargets {
  /** `Float32Array [S,4] xyxy` sampled RoIs (proposals or ground-truth boxes), image pixels. */
  boxes: Float32Array;
  /** `Int32Array [S]` class of each RoI: its matched ground truth's label (1..C), or 0 (background). */
  labels: Int32Array;
  /** `Float32Array [S,4]` class-specific regression targets of each RoI (zeros for background). */
  regressionTargets: Float32Array;
  /** `Int32Array [S]` index of the matched ground truth, −1 for background (mask targets use it). */
  matchedGt: Int32Array;
  /** Number of positives: RoIs 0..numPositive−1. */
  numPositive: number;
}

/**
 * RoI sampling of the second stage for one image (torchvision's `RoIHeads.select_training_samples`):
 * the ground-truth boxes are appended to the proposals (so positives exist from the first step); each
 * candidate takes the ground truth of highest IoU; IoU ≥ the matcher's high threshold (0.5) makes it
 * foreground with that box's label, below the low threshold background (no low-quality matches);
 * the sampler draws e.g. 512 RoIs with at most 25 % foreground; each foreground RoI gets the deltas
 * (coder weights 10, 10, 5, 5) that move it onto its ground truth.
 *
 * `proposals: Float32Array [K,4] xyxy`, `gtBoxes: Float32Array [M,4] xyxy`, `gtLabels: Int32Array [M]` in 1..C.
 */
export function sampleRoiTargets(proposals: Float32Array, gtBoxes: Float32Array, gtLabels: Int32Array, matcher: Matcher, sampler: BalancedSampler, coder: BoxCoder): RoiTargets {
  const m = gtBoxes.length >> 2;
  const candidates = new Float32Array(proposals.length + gtBoxes.length); // [K + M, 4]
  candidates.set(proposals);
  candidates.set(gtBoxes, proposals.length);
  const n = candidates.length >> 2;
  const matches = matcher.match(boxIou(gtBoxes, candidates), m, n); // [K + M]
  const sampleLabels = new Int8Array(n); // 1 foreground, 0 background, −1 ignored
  for (let j = 0; j < n; j++) sampleLabels[j] = matches[j] >= 0 ? 1 : matches[j] === -1 ? 0 : -1;
  const { positive, negative } = sampler.sample(sampleLabels);
  const p = positive.length;
  const s = p + negative.length;
  const out: RoiTargets = {
    boxes: new Float32Array(4 * s),
    labels: new Int32Array(s),
    regressionTargets: new Float32Array(4 * s),
    matchedGt: new Int32Array(s).fill(-1),
    numPositive: p,
  };
  const matchedBoxes = new Float32Array(4 * p); // [P, 4]
  for (let i = 0; i < s; i++) {
    const c = i < p ? positive[i] : negative[i - p];
    out.boxes.set(candidates.subarray(4 * c, 4 * c + 4), 4 * i);
    if (i < p) {
      const g = matches[c];
      out.labels[i] = gtLabels[g];
      out.matchedGt[i] = g;
      matchedBoxes.set(gtBoxes.subarray(4 * g, 4 * g + 4), 4 * i);
    }
  }
  if (p > 0) out.regressionTargets.set(coder.encode(out.boxes.subarray(0, 4 * p), matchedBoxes));
  return out;
}
