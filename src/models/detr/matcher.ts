import { giouPair } from '../../boxes/giou.js';
import { linearSumAssignment } from '../../matching/linear-sum-assignment.js';

/** Weights of the matching cost (the paper's: 1, 5, 2). */
export interface MatchWeights {
  /** Weight of −p̂(class) (default 1). */
  classCost?: number;
  /** Weight of the L1 distance of the (cx, cy, w, h) boxes (default 5). */
  bboxCost?: number;
  /** Weight of −GIoU (default 2). */
  giouCost?: number;
}

/** Ground truth of one image in the model's units: `labels: Int32Array [M]` class indices 0..C−1, `boxes: Float32Array [M,4]` (cx, cy, w, h) as fractions of the image. */
export interface SetTarget {
  labels: Int32Array;
  boxes: Float32Array;
}

/** Corners (x1, y1, x2, y2) of the (cx, cy, w, h) box `i` of `b`. */
function corners(b: Float32Array, i: number): [number, number, number, number] {
  const cx = b[4 * i], cy = b[4 * i + 1], w = b[4 * i + 2], h = b[4 * i + 3];
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/**
 * DETR's matching cost between N predictions and M objects of one image:
 *
 *     C[q, j] = −classCost·p̂_q(c_j) + bboxCost·‖b_q − b_j‖₁ − giouCost·GIoU(b_q, b_j)
 *
 * with p̂_q the softmax probabilities of query q and boxes in (cx, cy, w, h) (the L1 on these numbers,
 * the GIoU on their corners). `probabilities: Float32Array [N, C+1]`, `boxes: Float32Array [N,4]`
 * (cx, cy, w, h) → `Float64Array [N, M]` row-major.
 */
export function matchingCost(probabilities: Float32Array, boxes: Float32Array, target: SetTarget, weights: MatchWeights = {}): Float64Array {
  const wClass = weights.classCost ?? 1, wBox = weights.bboxCost ?? 5, wGiou = weights.giouCost ?? 2;
  const n = boxes.length / 4;
  const m = target.labels.length;
  const classes = probabilities.length / n;
  const cost = new Float64Array(n * m); // [N, M]
  for (let q = 0; q < n; q++) {
    const [ax1, ay1, ax2, ay2] = corners(boxes, q);
    for (let j = 0; j < m; j++) {
      let l1 = 0;
      for (let k = 0; k < 4; k++) l1 += Math.abs(boxes[4 * q + k] - target.boxes[4 * j + k]);
      const [bx1, by1, bx2, by2] = corners(target.boxes, j);
      cost[q * m + j] = -wClass * probabilities[q * classes + target.labels[j]] + wBox * l1 - wGiou * giouPair(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2);
    }
  }
  return cost;
}

/** The queries matched to objects: `queries[k]` predicts object `objects[k]` (`Int32Array [min(N, M)]`, queries ascending). */
export interface SetMatch {
  queries: Int32Array;
  objects: Int32Array;
}

/**
 * The Hungarian matching of DETR: the one-to-one assignment of queries to objects of least total
 * {@link matchingCost} (`linearSumAssignment`), computed on plain numbers (no gradient flows through
 * it). Shapes as in {@link matchingCost}; with N ≥ M every object gets a query.
 */
export function hungarianMatch(probabilities: Float32Array, boxes: Float32Array, target: SetTarget, weights: MatchWeights = {}): SetMatch {
  const n = boxes.length / 4;
  const m = target.labels.length;
  const { rows, cols } = linearSumAssignment(matchingCost(probabilities, boxes, target, weights), n, m);
  return { queries: rows, objects: cols };
}
