import { BoxCoder } from '../../boxes/coder.js';
import { boxIou } from '../../boxes/iou.js';
import type { DetectionTarget } from '../detection/types.js';

/**
 * SSD's matching strategy for one image: every default box whose best IoU with a ground truth exceeds
 * `threshold` (0.5) is matched to that ground truth; then each ground truth's best default box is matched
 * to it whatever the IoU (later ground truths win a box two of them pick), so that every object has at
 * least one default box.
 *
 * `defaults: [K,4] xyxy`, `gt: [G,4] xyxy` → `Int32Array [K]`: the matched ground truth's index, or −1.
 */
export function ssdMatch(defaults: Float32Array, gt: Float32Array, threshold = 0.5): Int32Array {
  const k = defaults.length >> 2, g = gt.length >> 2;
  const out = new Int32Array(k).fill(-1);
  if (g === 0) return out;
  const iou = boxIou(defaults, gt); // [K, G]
  for (let d = 0; d < k; d++) {
    let best = -1, bestIou = threshold;
    for (let q = 0; q < g; q++) if (iou[d * g + q] > bestIou) [best, bestIou] = [q, iou[d * g + q]];
    out[d] = best;
  }
  for (let q = 0; q < g; q++) {
    let best = 0;
    for (let d = 1; d < k; d++) if (iou[d * g + q] > iou[best * g + q]) best = d;
    out[best] = q;
  }
  return out;
}

/** Training targets of one image's default boxes. */
export interface SsdTargets {
  /** `Int32Array [K]`: the matched object's label (1..C), 0 for the background. */
  labels: Int32Array;
  /** `Float32Array [K,4]`: the matched object's box encoded relative to the default box (0 for the background). */
  deltas: Float32Array;
  /** Matched (positive) default boxes. */
  numPositive: number;
}

/** The box coder of SSD's released code: variances 0.1 (centre) and 0.2 (size), i.e. weights 10, 10, 5, 5. */
export const SSD_BOX_CODER = new BoxCoder({ weights: [10, 10, 5, 5] });

/** {@link ssdMatch} of one image, with each positive's label and encoded box (`coder`'s deltas). */
export function ssdTargets(defaults: Float32Array, target: DetectionTarget, threshold = 0.5, coder = SSD_BOX_CODER): SsdTargets {
  const k = defaults.length >> 2;
  const match = ssdMatch(defaults, target.boxes, threshold);
  const labels = new Int32Array(k), deltas = new Float32Array(4 * k);
  const index: number[] = [];
  for (let d = 0; d < k; d++) if (match[d] >= 0) index.push(d);
  const reference = new Float32Array(4 * index.length), gt = new Float32Array(4 * index.length);
  index.forEach((d, r) => {
    labels[d] = target.labels[match[d]];
    reference.set(defaults.subarray(4 * d, 4 * d + 4), 4 * r);
    gt.set(target.boxes.subarray(4 * match[d], 4 * match[d] + 4), 4 * r);
  });
  if (index.length > 0) {
    const encoded = coder.encode(reference, gt);
    index.forEach((d, r) => deltas.set(encoded.subarray(4 * r, 4 * r + 4), 4 * d));
  }
  return { labels, deltas, numPositive: index.length };
}
