import type { Rle } from './rle.js';
import { rleToBbox } from './rle.js';

/**
 * IoU of detections against ground truth with COCO's crowd rule, as pycocotools' `maskUtils.iou`: for a
 * crowd ground truth (`iscrowd[g] = 1`) the union is the detection's own area, so a detection inside a
 * crowd region scores 1. Results are `Float64Array [D,G]` row-major (`out[d*G + g]`).
 */

/**
 * Box IoU with the crowd rule (pycocotools' `bbIou`). `dt: [D,4] xywh`, `gt: [G,4] xywh` (pixels),
 * `iscrowd: [G]` (omitted = no crowd) → `Float64Array [D,G]`. The arithmetic order follows pycocotools
 * so the values are bit-identical.
 */
export function boxIouCrowd(dt: ArrayLike<number>, gt: ArrayLike<number>, iscrowd?: ArrayLike<number>, out?: Float64Array): Float64Array {
  const nd = dt.length >> 2;
  const ng = gt.length >> 2;
  const o = out ?? new Float64Array(nd * ng);
  for (let g = 0; g < ng; g++) {
    const gx = gt[4 * g], gy = gt[4 * g + 1], gw = gt[4 * g + 2], gh = gt[4 * g + 3];
    const gArea = gw * gh;
    const gx2 = gw + gx, gy2 = gh + gy;
    const crowd = iscrowd !== undefined && iscrowd[g] !== 0;
    for (let d = 0; d < nd; d++) {
      const dx = dt[4 * d], dy = dt[4 * d + 1], dw = dt[4 * d + 2], dh = dt[4 * d + 3];
      const cell = d * ng + g;
      o[cell] = 0;
      const dx2 = dw + dx;
      const iw = (dx2 < gx2 ? dx2 : gx2) - (dx > gx ? dx : gx);
      if (iw <= 0) continue;
      const dy2 = dh + dy;
      const ih = (dy2 < gy2 ? dy2 : gy2) - (dy > gy ? dy : gy);
      if (ih <= 0) continue;
      const dArea = dw * dh;
      const inter = iw * ih;
      o[cell] = inter / (crowd ? dArea : dArea + gArea - inter);
    }
  }
  return o;
}

/**
 * Mask IoU with the crowd rule (pycocotools' `rleIou`). `dt: Rle[D]`, `gt: Rle[G]`, `iscrowd: [G]` →
 * `Float64Array [D,G]`. Pairs whose tight boxes do not overlap are 0 without walking the runs; a pair of
 * masks of different sizes gets −1, as in pycocotools (the COCO evaluator rejects those earlier).
 * `dtBoxes`/`gtBoxes` (`[D,4]`/`[G,4]` xywh from {@link rleToBbox}) may be passed when already known.
 */
export function rleIou(dt: readonly Rle[], gt: readonly Rle[], iscrowd?: ArrayLike<number>, dtBoxes?: Float64Array, gtBoxes?: Float64Array): Float64Array {
  const nd = dt.length;
  const ng = gt.length;
  const db = dtBoxes ?? rleBoxes(dt);
  const gb = gtBoxes ?? rleBoxes(gt);
  const o = boxIouCrowd(db, gb, iscrowd);
  // areas once per mask: the union is |D| + |G| − |D ∩ G| (pycocotools counts it while walking; same integer)
  const dArea = new Float64Array(nd), gArea = new Float64Array(ng);
  for (let d = 0; d < nd; d++) dArea[d] = sumOdd(dt[d].counts);
  for (let g = 0; g < ng; g++) gArea[g] = sumOdd(gt[g].counts);
  for (let g = 0; g < ng; g++) {
    const crowd = iscrowd !== undefined && iscrowd[g] !== 0;
    const G = gt[g];
    const gx0 = gb[4 * g], gx1 = gx0 + gb[4 * g + 2];
    for (let d = 0; d < nd; d++) {
      const cell = d * ng + g;
      if (!(o[cell] > 0)) continue;
      const D = dt[d];
      if (D.h !== G.h || D.w !== G.w) {
        o[cell] = -1;
        continue;
      }
      // both masks lie inside their boxes' columns: only the shared columns can intersect
      const dx0 = db[4 * d], dx1 = dx0 + db[4 * d + 2];
      const col0 = dx0 > gx0 ? dx0 : gx0, col1 = dx1 < gx1 ? dx1 : gx1;
      const inter = rleIntersection(D.counts, G.counts, col0 * D.h, col1 * D.h);
      let union: number;
      if (inter === 0) union = 1;
      else if (crowd) union = dArea[d];
      else union = (dArea[d] + gArea[g] - inter) >>> 0;
      o[cell] = inter / union;
    }
  }
  return o;
}

/** Tight boxes of RLE masks: `Rle[N]` → `Float64Array [N,4]` xywh. */
export function rleBoxes(rles: readonly Rle[]): Float64Array {
  const out = new Float64Array(rles.length * 4);
  for (let i = 0; i < rles.length; i++) rleToBbox(rles[i], out, 4 * i);
  return out;
}

function sumOdd(c: Uint32Array): number {
  let s = 0;
  for (let j = 1; j < c.length; j += 2) s += c[j];
  return s >>> 0;
}

/**
 * Intersection (pixels) of two run-length masks of the same size within pixel positions [start, end):
 * both are skipped to `start` by summing runs, then walked together until `end`.
 */
function rleIntersection(a: Uint32Array, b: Uint32Array, start: number, end: number): number {
  const ka = a.length, kb = b.length;
  let ia = 0, pa = 0; // run index and its first position
  while (ia < ka && pa + a[ia] <= start) pa += a[ia++];
  let ib = 0, pb = 0;
  while (ib < kb && pb + b[ib] <= start) pb += b[ib++];
  if (ia >= ka || ib >= kb) return 0;
  let ra = pa + a[ia] - start, rb = pb + b[ib] - start; // what is left of the current runs
  let p = start, inter = 0;
  while (p < end) {
    let c = ra < rb ? ra : rb;
    if (c > end - p) c = end - p;
    if (ia & ib & 1) inter += c; // odd runs are ones
    p += c;
    ra -= c;
    rb -= c;
    if (ra === 0) {
      if (++ia >= ka) break;
      ra = a[ia];
    }
    if (rb === 0) {
      if (++ib >= kb) break;
      rb = b[ib];
    }
  }
  return inter >>> 0;
}
