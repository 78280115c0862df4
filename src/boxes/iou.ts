import type { BoxArray } from './types.js';
import { validateBoxes } from './validate.js';

/** Area of each box. `boxes: [N,4] xyxy` → `Float64Array [N]`. */
export function boxArea(boxes: ArrayLike<number>): Float64Array {
  const n = boxes.length >> 2;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
  return out;
}

/** IoU of two single boxes given by their corners (xyxy). 0 when the union is empty. */
export function iouPair(ax1: number, ay1: number, ax2: number, ay2: number, bx1: number, by1: number, bx2: number, by2: number): number {
  const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Pairwise IoU matrix. `a: [N,4] xyxy`, `b: [M,4] xyxy` → `Float32Array [N,M]` (row i holds box i of
 * `a` against every box of `b`). Boxes are validated (finite, x1 ≤ x2, y1 ≤ y2) unless `trusted`.
 *
 * Pairs that do not overlap have IoU 0, and in detection most pairs do not overlap, so the boxes of `b`
 * are sorted by x1 once (copied into separate coordinate arrays, `Float64Array [M]` each) and each box of
 * `a` visits only the run of `b` whose x-range can meet its own: x1 of b in (a.x1 − widest b, a.x2).
 * Every pair that is visited is computed with the same arithmetic as {@link iouPair}, so the values are
 * those of the plain double loop; the worst case (every box overlaps every other in x) is that loop.
 */
export function boxIou(a: BoxArray, b: BoxArray, options: { trusted?: boolean } = {}): Float32Array {
  const n = options.trusted ? a.length >> 2 : validateBoxes(a, 'a');
  const m = options.trusted ? b.length >> 2 : validateBoxes(b, 'b');
  const out = new Float32Array(n * m); // [N, M]
  if (n === 0 || m === 0) return out;
  // b sorted by x1 (ties by index), structure of arrays: [M] each
  const order = new Int32Array(m);
  for (let j = 0; j < m; j++) order[j] = j;
  order.sort((p, q) => b[4 * p] - b[4 * q] || p - q);
  const bx1 = new Float64Array(m), by1 = new Float64Array(m), bx2 = new Float64Array(m), by2 = new Float64Array(m);
  const areaB = new Float64Array(m);
  let widest = 0;
  for (let k = 0; k < m; k++) {
    const j = 4 * order[k];
    bx1[k] = b[j]; by1[k] = b[j + 1]; bx2[k] = b[j + 2]; by2[k] = b[j + 3];
    areaB[k] = (bx2[k] - bx1[k]) * (by2[k] - by1[k]);
    if (bx2[k] - bx1[k] > widest) widest = bx2[k] - bx1[k];
  }
  // A b box with x1 < a.x1 − widest ends before a starts. The margin guards against rounding in the subtraction.
  const margin = widest * 1e-9 + 1e-9;
  for (let i = 0; i < n; i++) {
    const ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
    const areaA = (ax2 - ax1) * (ay2 - ay1);
    const row = i * m;
    const start = ax1 - widest - margin;
    let lo = 0, hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bx1[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < m && bx1[k] < ax2; k++) {
      const iw = Math.min(ax2, bx2[k]) - Math.max(ax1, bx1[k]);
      if (iw <= 0) continue;
      const ih = Math.min(ay2, by2[k]) - Math.max(ay1, by1[k]);
      if (ih <= 0) continue;
      const inter = iw * ih;
      const union = areaA + areaB[k] - inter;
      out[row + order[k]] = union > 0 ? inter / union : 0;
    }
  }
  return out;
}
