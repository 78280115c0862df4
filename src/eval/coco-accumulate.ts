/**
 * pycocotools' `accumulate` for one category and one area range: the detections of every image, pooled
 * and sorted by descending score (stable, as numpy's mergesort), give cumulative true and false positives
 * per IoU threshold; precision is made non-increasing from the right, and read at each recall threshold
 * with `searchsorted(recall, recThrs, 'left')` (cells past the last reachable recall stay 0).
 */

/** `np.spacing(1)`: added to the denominator of precision, as pycocotools does. */
const EPS = 2.220446049250313e-16;

/** One category's pooled detections, for one area range. `P` detections, `T` thresholds. */
export interface PooledDetections {
  /** Number of detections `P` (every image, each image's first maxDets[-1] by score). */
  count: number;
  /** Detection scores `[P]`. */
  score: Float64Array;
  /** Rank of each detection within its image, by score `[P]` (0 = best). */
  rank: Int32Array;
  /** Pooled order: detection indices sorted by descending score, stable `[P]`. */
  order: Int32Array;
  /** Matched ground-truth id per detection and threshold `[P,T]`, 0 = unmatched. */
  dtMatch: Float64Array;
  /** Ignored flag per detection and threshold `[P,T]`. */
  dtIgnore: Uint8Array;
  /** Number of non-ignored ground truth of this category and area range. */
  npig: number;
}

/** Output arrays of the whole evaluation, with their sizes; indices as in pycocotools' `eval` dict. */
export interface AccumulateTarget {
  /** `[T,R,K,A,M]`, −1 where undefined. */
  precision: Float64Array;
  /** `[T,K,A,M]`, −1 where undefined. */
  recall: Float64Array;
  /** Score at each precision cell `[T,R,K,A,M]`. */
  scores: Float64Array;
  T: number;
  R: number;
  K: number;
  A: number;
  M: number;
}

let rc = new Float64Array(1024);
let pr = new Float64Array(1024);
let sortedScore = new Float64Array(1024);

/** Index of the first `v[i] >= x` in the non-decreasing `v[0..n)` (numpy `searchsorted` side 'left'). */
function searchLeft(v: Float64Array, n: number, x: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Fills precision, recall and scores for category index `k`, area index `a`, every maxDets `m` (from
 * `maxDets [M]`) and threshold, from `pooled`. Leaves −1 when there is no non-ignored ground truth.
 */
export function accumulateCategory(pooled: PooledDetections, k: number, a: number, maxDets: number[], recThrs: Float64Array, out: AccumulateTarget): void {
  const { T, R, K, A, M } = out;
  if (pooled.npig === 0) return;
  const P = pooled.count;
  if (rc.length < P) {
    rc = new Float64Array(P * 2);
    pr = new Float64Array(P * 2);
    sortedScore = new Float64Array(P * 2);
  }
  const selected = new Int32Array(P);
  for (let mi = 0; mi < M; mi++) {
    const maxDet = maxDets[mi];
    let nd = 0;
    for (let j = 0; j < P; j++) {
      const p = pooled.order[j];
      if (pooled.rank[p] < maxDet) {
        selected[nd] = p;
        sortedScore[nd] = pooled.score[p];
        nd++;
      }
    }
    for (let t = 0; t < T; t++) {
      let tp = 0, fp = 0;
      for (let j = 0; j < nd; j++) {
        const cell = selected[j] * T + t;
        if (!pooled.dtIgnore[cell]) {
          if (pooled.dtMatch[cell] !== 0) tp++;
          else fp++;
        }
        rc[j] = tp / pooled.npig;
        pr[j] = tp / (fp + tp + EPS);
      }
      out.recall[((t * K + k) * A + a) * M + mi] = nd ? rc[nd - 1] : 0;
      for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
      for (let ri = 0; ri < R; ri++) {
        const cell = (((t * R + ri) * K + k) * A + a) * M + mi;
        out.precision[cell] = 0;
        out.scores[cell] = 0;
      }
      for (let ri = 0; ri < R; ri++) {
        const pi = searchLeft(rc, nd, recThrs[ri]);
        if (pi >= nd) break; // pycocotools stops at the first unreachable recall threshold
        const cell = (((t * R + ri) * K + k) * A + a) * M + mi;
        out.precision[cell] = pr[pi];
        out.scores[cell] = sortedScore[pi];
      }
    }
  }
}
