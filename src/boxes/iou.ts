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
 */
export function boxIou(a: BoxArray, b: BoxArray, options: { trusted?: boolean } = {}): Float32Array {
  const n = options.trusted ? a.length >> 2 : validateBoxes(a, 'a');
  const m = options.trusted ? b.length >> 2 : validateBoxes(b, 'b');
  const out = new Float32Array(n * m);
  const areaB = boxArea(b);
  for (let i = 0; i < n; i++) {
    const ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
    const areaA = (ax2 - ax1) * (ay2 - ay1);
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const iw = Math.min(ax2, b[4 * j + 2]) - Math.max(ax1, b[4 * j]);
      if (iw <= 0) continue;
      const ih = Math.min(ay2, b[4 * j + 3]) - Math.max(ay1, b[4 * j + 1]);
      if (ih <= 0) continue;
      const inter = iw * ih;
      const union = areaA + areaB[j] - inter;
      out[row + j] = union > 0 ? inter / union : 0;
    }
  }
  return out;
}
