import { BoxCoder } from '../../boxes/coder.js';
import { boxIou } from '../../boxes/iou.js';
import type { BalancedSampler } from '../../anchors/sampler.js';
import { matchLabels, type Matcher } from '../../anchors/matcher.js';

/** Training examples of the region proposal network for one image. */
export interface RpnTargets {
  /** `Int32Array [P]` sampled positive anchors, ascending. */
  positive: Int32Array;
  /** `Int32Array [Q]` sampled negative anchors, ascending. */
  negative: Int32Array;
  /** `Float32Array [P,4]` regression targets (t_x, t_y, t_w, t_h) of each positive anchor to its ground truth. */
  positiveTargets: Float32Array;
}

/**
 * Labels and regression targets of the anchors of one image (torchvision's
 * `RegionProposalNetwork.assign_targets_to_anchors` then the balanced sampler): IoU of every ground
 * truth with every anchor; the matcher (0.7 / 0.3, low-quality matches) makes each anchor positive,
 * negative or ignored; the sampler draws e.g. 256 anchors, at most half positive; each drawn positive
 * gets the deltas that move it onto its matched box. With no ground truth every anchor is negative.
 *
 * `anchors: Float32Array [N,4] xyxy`, `gtBoxes: Float32Array [M,4] xyxy` (image pixels).
 */
export function assignRpnTargets(anchors: Float32Array, gtBoxes: Float32Array, matcher: Matcher, sampler: BalancedSampler, coder: BoxCoder): RpnTargets {
  const n = anchors.length >> 2;
  const m = gtBoxes.length >> 2;
  const matches = matcher.match(boxIou(gtBoxes, anchors), m, n); // [N]
  const { positive, negative } = sampler.sample(matchLabels(matches));
  const p = positive.length;
  const reference = new Float32Array(4 * p); // [P, 4]
  const matched = new Float32Array(4 * p); // [P, 4]
  for (let s = 0; s < p; s++) {
    const a = positive[s], g = matches[a];
    reference.set(anchors.subarray(4 * a, 4 * a + 4), 4 * s);
    matched.set(gtBoxes.subarray(4 * g, 4 * g + 4), 4 * s);
  }
  return { positive, negative, positiveTargets: p > 0 ? coder.encode(reference, matched) : new Float32Array(0) };
}
