import type { BoxArray } from './types.js';
import { validateBoxes } from './validate.js';

/**
 * Generalized IoU of two single boxes (xyxy corners), Rezatofighi et al. 2019:
 * GIoU = IoU − (|C| − |A ∪ B|) / |C|, where C is the smallest box enclosing both. In [−1, 1]; equals IoU
 * when the boxes fill their enclosing box, tends to −1 for small boxes far apart. When |C| = 0 (both
 * boxes degenerate on one line or point) GIoU is defined here as the IoU, 0 (torchvision yields NaN).
 */
export function giouPair(ax1: number, ay1: number, ax2: number, ay2: number, bx1: number, by1: number, bx2: number, by2: number): number {
  const iw = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
  const ih = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
  const inter = iw * ih;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  const iou = union > 0 ? inter / union : 0;
  const hull = (Math.max(ax2, bx2) - Math.min(ax1, bx1)) * (Math.max(ay2, by2) - Math.min(ay1, by1));
  return hull > 0 ? iou - (hull - union) / hull : iou;
}

/**
 * Pairwise generalized IoU matrix (see {@link giouPair}). `a: [N,4] xyxy`, `b: [M,4] xyxy` →
 * `Float32Array [N,M]`, row i holding box i of `a` against every box of `b`. Boxes are validated
 * (finite, x1 ≤ x2, y1 ≤ y2); a {@link DetsegInputError} names the first bad box.
 */
export function generalizedBoxIou(a: BoxArray, b: BoxArray): Float32Array {
  const n = validateBoxes(a, 'a');
  const m = validateBoxes(b, 'b');
  const out = new Float32Array(n * m); // [N, M]
  for (let i = 0; i < n; i++) {
    const ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
    const row = i * m;
    for (let j = 0; j < m; j++) out[row + j] = giouPair(ax1, ay1, ax2, ay2, b[4 * j], b[4 * j + 1], b[4 * j + 2], b[4 * j + 3]);
  }
  return out;
}
