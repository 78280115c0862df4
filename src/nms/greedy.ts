import { buildBoxGrid, gridCell, singleCellGrid } from '../boxes/grid.js';
import type { BoxArray } from '../boxes/types.js';
import { orderByScore, validateNmsInput } from './input.js';

/** Below this many candidates the plain double loop is faster than building a grid (measured: 64, 128, 256 tried). */
const GRID_MIN_CANDIDATES = 128;

/**
 * Greedy non-maximum suppression, the lecture's three steps: (1) take the highest-scoring box left and
 * keep it; (2) drop every remaining box whose IoU with it is > `iouThreshold`; (3) repeat while boxes
 * remain. Equal scores are taken in input order (stable), so the result is deterministic.
 *
 * `boxes: [N,4] xyxy`, `scores: [N]` (any finite numbers), `iouThreshold` in [0, 1] →
 * kept indices into `boxes`, `Int32Array [K]`, by decreasing score. Bad input throws a
 * `DetsegInputError` naming the field (NaN, negative width, wrong length, threshold outside [0, 1]).
 *
 * Same kept set as the O(N²) loop; faster because a kept box can only drop boxes that intersect it,
 * so candidates are found through a uniform grid (see {@link greedySuppress}).
 */
export function nms(boxes: BoxArray, scores: ArrayLike<number>, iouThreshold: number): Int32Array {
  const n = validateNmsInput(boxes, scores, iouThreshold);
  const order = orderByScore(scores);
  const kept = new Uint8Array(n);
  greedySuppress(boxes, order, iouThreshold, kept);
  return collectKept(order, kept);
}

/** The indices of `order` whose `kept` flag is set, in the order of `order`. */
export function collectKept(order: Int32Array, kept: Uint8Array): Int32Array {
  let count = 0;
  for (let k = 0; k < order.length; k++) count += kept[order[k]];
  const out = new Int32Array(count);
  let o = 0;
  for (let k = 0; k < order.length; k++) if (kept[order[k]]) out[o++] = order[k];
  return out;
}

/**
 * The greedy loop on the candidates `order` (indices into `boxes: [N,4] xyxy`, highest score first):
 * sets `kept[i] = 1` for every kept index i. Inputs are trusted (validated by the caller). With
 * `classes: [N]` (integer labels), only boxes of the same class suppress each other.
 *
 * Few candidates: the plain loop. Otherwise the candidates are binned into a uniform grid whose cell
 * side is half the median box side (`buildBoxGrid`: each box is listed in every cell it touches), and a kept box tests
 * only the candidates listed in the cells meeting its core (see the comment in the loop) — the only
 * boxes it can drop. When boxes are so unequal in size that the grid would hold more than 16 entries
 * per box, the plain loop is used instead (as a grid of one cell). IoU is computed exactly as
 * `iouPair` does.
 */
export function greedySuppress(boxes: BoxArray, order: Int32Array, iouThreshold: number, kept: Uint8Array, classes?: ArrayLike<number>): void {
  const k = order.length;
  if (k === 0) return;
  const label = new Float64Array(k); // [K] class of each candidate in score order (any integer); all 0 without classes
  if (classes) for (let p = 0; p < k; p++) label[p] = classes[order[p]];
  // candidate coordinates in score order, structure of arrays: [K] each
  const x1 = new Float64Array(k), y1 = new Float64Array(k), x2 = new Float64Array(k), y2 = new Float64Array(k), area = new Float64Array(k);
  let magnitude = 0; // largest |coordinate|
  for (let p = 0; p < k; p++) {
    const o = 4 * order[p];
    x1[p] = boxes[o]; y1[p] = boxes[o + 1]; x2[p] = boxes[o + 2]; y2[p] = boxes[o + 3];
    area[p] = (x2[p] - x1[p]) * (y2[p] - y1[p]);
    magnitude = Math.max(magnitude, Math.abs(x1[p]), Math.abs(y1[p]), Math.abs(x2[p]), Math.abs(y2[p]));
  }
  const suppressed = new Uint8Array(k);
  // cell side half the median box side: measured fastest among 0.35, 0.5 and 1 × median on the benchmark's boxes
  const grid = (k >= GRID_MIN_CANDIDATES ? buildBoxGrid(x1, y1, x2, y2, 0.5) : undefined) ?? singleCellGrid(k);
  const { cellStart, cellItems, gridWidth, gridHeight, cell, originX, originY } = grid;
  const cells = gridWidth * gridHeight;
  const cursor = cellStart.slice(0, cells); // per cell, the first item not yet passed by the greedy loop
  // rounding in the core's bounds (a few ulps of the coordinates) must never hide a box
  const slack = 1e-12 * (magnitude + 1);
  const visitedBy = new Int32Array(k).fill(-1);
  for (let p = 0; p < k; p++) {
    if (suppressed[p]) continue;
    kept[order[p]] = 1;
    const px1 = x1[p], py1 = y1[p], px2 = x2[p], py2 = y2[p], pa = area[p], pl = label[p];
    // IoU > t implies an x-overlap > t·w_p (the intersection is > t·area_p and at most overlap·h_p),
    // so q has x1_q < x2_p − t·w_p and x2_q > x1_p + t·w_p: for t < 0.5 q meets the core
    // [x1_p + t·w_p, x2_p − t·w_p] of p, for t ≥ 0.5 q contains p's centre; the same in y. Only the
    // cells meeting that core (or holding that centre) can list a box to drop, and a box that misses
    // the core is skipped before its IoU is computed.
    const sx = iouThreshold < 0.5 ? iouThreshold * (px2 - px1) : 0.5 * (px2 - px1);
    const sy = iouThreshold < 0.5 ? iouThreshold * (py2 - py1) : 0.5 * (py2 - py1);
    const coreX1 = px1 + sx - slack, coreX2 = px2 - sx + slack, coreY1 = py1 + sy - slack, coreY2 = py2 - sy + slack;
    let cx1 = 0, cx2 = 0, cy1 = 0, cy2 = 0;
    if (cells > 1) {
      cx1 = gridCell(coreX1, originX, cell); cx2 = gridCell(coreX2, originX, cell);
      cy1 = gridCell(coreY1, originY, cell); cy2 = gridCell(coreY2, originY, cell);
    }
    for (let cy = Math.max(cy1, 0); cy <= Math.min(cy2, gridHeight - 1); cy++) {
      for (let cx = Math.max(cx1, 0); cx <= Math.min(cx2, gridWidth - 1); cx++) {
        const c = cy * gridWidth + cx;
        const end = cellStart[c + 1];
        // items of a cell are in score order; those at or before p are done for good
        let s = cursor[c];
        while (s < end && cellItems[s] <= p) s++;
        cursor[c] = s;
        for (; s < end; s++) {
          const q = cellItems[s];
          if (suppressed[q] || visitedBy[q] === p || label[q] !== pl) continue;
          visitedBy[q] = p;
          if (!(x1[q] < coreX2 && x2[q] > coreX1 && y1[q] < coreY2 && y2[q] > coreY1)) continue;
          const iw = Math.min(px2, x2[q]) - Math.max(px1, x1[q]);
          const ih = Math.min(py2, y2[q]) - Math.max(py1, y1[q]);
          if (iw <= 0 || ih <= 0) continue; // as iouPair: no overlap, IoU 0
          const inter = iw * ih;
          const union = pa + area[q] - inter;
          if (union > 0 && inter / union > iouThreshold) suppressed[q] = 1;
        }
      }
    }
  }
}
