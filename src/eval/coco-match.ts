/**
 * Greedy matching of one (image, category) cell for one area range, with pycocotools' `evaluateImg`
 * semantics: ground truth is visited non-ignored first (a stable sort, as numpy's mergesort), each
 * detection (in descending score order) takes the still-free ground truth with the highest IoU ≥ the
 * threshold (a later one wins a tie), crowd ground truth can be matched many times, a detection matched to
 * ignored ground truth is ignored, and an unmatched detection outside the area range is ignored too.
 */

/** Inputs of {@link matchCell}: one cell's ground truth `[G]` and detections `[D]` (in score order). */
export interface CellInput {
  /** IoU of every (detection, ground truth) pair: `Float64Array [D,G]` (`ious[d*G + g]`). */
  ious: Float64Array;
  nDt: number;
  nGt: number;
  /** Ground-truth ids `[G]` (what a matched detection records). */
  gtId: Float64Array;
  /** Ground-truth areas `[G]` (pixels²), from the annotation file. */
  gtArea: Float64Array;
  /** 1 for crowd ground truth `[G]`: always ignored, can absorb many detections. */
  gtCrowd: Uint8Array;
  /** Detection areas `[D]` (pixels²). */
  dtArea: Float64Array;
}

let order = new Int32Array(64);
let gtIgnore = new Uint8Array(64);
let gtTaken = new Uint8Array(64);

/**
 * Matches one cell for area range `[lo, hi]` (inclusive) at every threshold of `iouThrs [T]`. Writes, for
 * detection d and threshold t, the matched ground-truth id (0 = unmatched) to `dtMatch[(base+d)*T + t]` and
 * whether it is ignored to `dtIgnore[(base+d)*T + t]`. Returns the number of non-ignored ground truth.
 */
export function matchCell(cell: CellInput, lo: number, hi: number, iouThrs: Float64Array, dtMatch: Float64Array, dtIgnore: Uint8Array, base: number): number {
  const { ious, nDt: D, nGt: G, gtId, gtArea, gtCrowd, dtArea } = cell;
  const T = iouThrs.length;
  if (order.length < G) {
    order = new Int32Array(G * 2);
    gtIgnore = new Uint8Array(G * 2);
    gtTaken = new Uint8Array(G * 2);
  }
  // ground truth, non-ignored first (stable); gtIgnore is indexed by position in that order
  let kept = 0;
  for (let g = 0; g < G; g++) if (!(gtCrowd[g] || gtArea[g] < lo || gtArea[g] > hi)) order[kept++] = g;
  let pos = kept;
  for (let g = 0; g < G; g++) if (gtCrowd[g] || gtArea[g] < lo || gtArea[g] > hi) order[pos++] = g;
  for (let p = 0; p < G; p++) gtIgnore[p] = p < kept ? 0 : 1;

  const start = base * T;
  dtMatch.fill(0, start, start + D * T);
  dtIgnore.fill(0, start, start + D * T);
  if (G > 0 && D > 0) {
    for (let t = 0; t < T; t++) {
      gtTaken.fill(0, 0, G);
      const thr = Math.min(iouThrs[t], 1 - 1e-10);
      for (let d = 0; d < D; d++) {
        let best = thr;
        let m = -1;
        const row = d * G;
        for (let p = 0; p < G; p++) {
          const g = order[p];
          if (gtTaken[p] && !gtCrowd[g]) continue;
          if (m > -1 && gtIgnore[m] === 0 && gtIgnore[p] === 1) break;
          const iou = ious[row + g];
          if (iou < best) continue;
          best = iou;
          m = p;
        }
        if (m === -1) continue;
        const cellIndex = start + d * T + t;
        dtIgnore[cellIndex] = gtIgnore[m];
        dtMatch[cellIndex] = gtId[order[m]];
        gtTaken[m] = 1;
      }
    }
  }
  // unmatched detections outside the area range are ignored
  for (let d = 0; d < D; d++) {
    if (!(dtArea[d] < lo || dtArea[d] > hi)) continue;
    const row = start + d * T;
    for (let t = 0; t < T; t++) if (dtMatch[row + t] === 0) dtIgnore[row + t] = 1;
  }
  return kept;
}
