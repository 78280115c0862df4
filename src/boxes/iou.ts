import { buildBoxGrid, gridCell, singleCellGrid } from './grid.js';
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

/** Below this many boxes in `b`, {@link boxIou} loops over all pairs instead of building a grid. */
const GRID_MIN_BOXES = 32;

/**
 * Pairwise IoU matrix. `a: [N,4] xyxy`, `b: [M,4] xyxy` → `Float32Array [N,M]` (row i holds box i of
 * `a` against every box of `b`). Boxes are validated (finite, x1 ≤ x2, y1 ≤ y2) unless `trusted`.
 *
 * Pairs that do not overlap have IoU 0, and in detection most pairs do not overlap, so the boxes of `b`
 * are binned into a uniform grid (`buildBoxGrid`, cell side the median side of `b`) and each box of `a`
 * visits only the boxes of `b` listed in the cells it touches. Every visited pair is computed with the
 * same arithmetic as {@link iouPair}, so the values are those of the plain double loop, which is used
 * when `b` is small or its boxes too unequal in size for a grid. At 10,000 × 1,000 the output alone is
 * 40 MB, and allocating it is a large part of the time.
 */
export function boxIou(a: BoxArray, b: BoxArray, options: { trusted?: boolean } = {}): Float32Array {
  const n = options.trusted ? a.length >> 2 : validateBoxes(a, 'a');
  const m = options.trusted ? b.length >> 2 : validateBoxes(b, 'b');
  const out = new Float32Array(n * m); // [N, M]
  if (n === 0 || m === 0) return out;
  // b as structure of arrays: [M] each
  const bx1 = new Float64Array(m), by1 = new Float64Array(m), bx2 = new Float64Array(m), by2 = new Float64Array(m);
  const areaB = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    bx1[j] = b[4 * j]; by1[j] = b[4 * j + 1]; bx2[j] = b[4 * j + 2]; by2[j] = b[4 * j + 3];
    areaB[j] = (bx2[j] - bx1[j]) * (by2[j] - by1[j]);
  }
  const grid = (m >= GRID_MIN_BOXES ? buildBoxGrid(bx1, by1, bx2, by2, 1, 64) : undefined) ?? singleCellGrid(m);
  const { cellStart, cellItems, gridWidth, gridHeight, cell, originX, originY } = grid;
  const single = gridWidth * gridHeight === 1;
  const visitedBy = new Int32Array(m).fill(-1); // a box of b listed in several cells is computed once per row
  for (let i = 0; i < n; i++) {
    const ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
    const areaA = (ax2 - ax1) * (ay2 - ay1);
    const row = i * m;
    const cx1 = single ? 0 : Math.max(gridCell(ax1, originX, cell), 0), cx2 = single ? 0 : Math.min(gridCell(ax2, originX, cell), gridWidth - 1);
    const cy1 = single ? 0 : Math.max(gridCell(ay1, originY, cell), 0), cy2 = single ? 0 : Math.min(gridCell(ay2, originY, cell), gridHeight - 1);
    for (let cy = cy1; cy <= cy2; cy++) {
      for (let cx = cx1; cx <= cx2; cx++) {
        const c = cy * gridWidth + cx;
        for (let s = cellStart[c], end = cellStart[c + 1]; s < end; s++) {
          const j = cellItems[s];
          if (visitedBy[j] === i) continue;
          visitedBy[j] = i;
          const iw = Math.min(ax2, bx2[j]) - Math.max(ax1, bx1[j]);
          if (iw <= 0) continue;
          const ih = Math.min(ay2, by2[j]) - Math.max(ay1, by1[j]);
          if (ih <= 0) continue;
          const inter = iw * ih;
          const union = areaA + areaB[j] - inter;
          out[row + j] = union > 0 ? inter / union : 0;
        }
      }
    }
  }
  return out;
}
