/**
 * pycocotools' `accumulate` for one category: for each area range and maxDets, the detections of every
 * image, pooled and sorted by descending score (stable, as numpy's mergesort), give cumulative true and
 * false positives per IoU threshold; precision is made non-increasing from the right and read at each
 * recall threshold with `searchsorted(recall, recThrs, 'left')` (cells past the last reachable recall stay
 * 0); where no ground truth counts, everything stays −1.
 */

/** `np.spacing(1)`: added to the denominator of precision, as pycocotools does. */
const EPS = 2.220446049250313e-16;

/** One category's pooled detections. `P` detections, `T` thresholds, `A` area ranges. */
export interface PooledDetections {
  /** Number of detections `P` (every image, each image's first maxDets[-1] by score). */
  count: number;
  /** Detection scores `[P]`. */
  score: Float64Array;
  /** Rank of each detection within its image, by score `[P]` (0 = best). */
  rank: Int32Array;
  /** Pooled order: detection indices sorted by descending score, stable `[P]`. */
  order: Int32Array;
  /** Per area range: matched ground-truth id per detection and threshold `[P,T]`, 0 = unmatched. */
  dtMatch: Float64Array[];
  /** Per area range: ignored flag per detection and threshold `[P,T]`. */
  dtIgnore: Uint8Array[];
  /** Per area range: number of non-ignored ground truth of this category. */
  npig: Float64Array;
}

/** Output arrays of the whole evaluation, with their sizes; indices as in pycocotools' `eval` dict. */
export interface AccumulateTarget {
  /** `[T,R,K,A,M]`, −1 where undefined. */
  precision: Float64Array;
  /** `[T,K,A,M]`, −1 where undefined. */
  recall: Float64Array;
  /** Score at each precision cell `[T,R,K,A,M]`, when wanted. */
  scores?: Float64Array;
  T: number;
  R: number;
  K: number;
  A: number;
  M: number;
}

let rc = new Float64Array(1024); // [T, nd]
let pr = new Float64Array(1024); // [T, nd]
let sortedScore = new Float64Array(1024);
let selected = new Int32Array(1024);
let qLocal = new Float64Array(0); // [T, R, A, M]: one category's slice of precision
let sLocal = new Float64Array(0); // [T, R, A, M]: one category's slice of scores

/** Index of the first `v[from + i] >= x` in the non-decreasing `v[from..from+n)` (searchsorted 'left'). */
function searchLeft(v: Float64Array, from: number, n: number, x: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[from + mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Fills precision, recall and scores of category index `k` for every area range, maxDets (`maxDets [M]`)
 * and threshold, from `pooled`. Curves are built in a local `[T,R,A,M]` buffer (the category's slice)
 * and copied into the `[T,R,K,A,M]` arrays.
 */
export function accumulateCategory(pooled: PooledDetections, k: number, maxDets: number[], recThrs: Float64Array, out: AccumulateTarget): void {
  const { T, R, K, A, M } = out;
  const P = pooled.count;
  if (rc.length < T * P) {
    rc = new Float64Array(T * P * 2);
    pr = new Float64Array(T * P * 2);
  }
  if (selected.length < P) {
    selected = new Int32Array(P * 2);
    sortedScore = new Float64Array(P * 2);
  }
  if (qLocal.length < A * M * T * R) {
    qLocal = new Float64Array(A * M * T * R);
    sLocal = new Float64Array(A * M * T * R);
  }
  const AM = A * M;
  let sortedThresholds = true;
  for (let ri = 1; ri < R; ri++) if (!(recThrs[ri] >= recThrs[ri - 1])) sortedThresholds = false;
  const tp = new Float64Array(T), fp = new Float64Array(T);
  let anyArea = false;
  for (let a = 0; a < A; a++) if (pooled.npig[a] !== 0) anyArea = true;
  if (!anyArea) return;

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
    for (let a = 0; a < A; a++) {
      const npig = pooled.npig[a];
      const am = a * M + mi;
      if (npig === 0) {
        for (let i = am; i < T * R * AM; i += AM) {
          qLocal[i] = -1;
          sLocal[i] = -1;
        }
        continue;
      }
      const match = pooled.dtMatch[a], ignore = pooled.dtIgnore[a];
      tp.fill(0);
      fp.fill(0);
      for (let j = 0; j < nd; j++) {
        const row = selected[j] * T;
        for (let t = 0; t < T; t++) {
          if (!ignore[row + t]) {
            if (match[row + t] !== 0) tp[t]++;
            else fp[t]++;
          }
          rc[t * nd + j] = tp[t] / npig;
          pr[t * nd + j] = tp[t] / (fp[t] + tp[t] + EPS);
        }
      }
      for (let t = 0; t < T; t++) {
        const base = t * nd;
        out.recall[((t * K + k) * A + a) * M + mi] = nd ? rc[base + nd - 1] : 0;
        for (let i = nd - 1; i > 0; i--) if (pr[base + i] > pr[base + i - 1]) pr[base + i - 1] = pr[base + i];
        let q = t * R * AM + am;
        let pi = 0;
        let ri = 0;
        for (; ri < R; ri++, q += AM) {
          if (sortedThresholds) while (pi < nd && rc[base + pi] < recThrs[ri]) pi++;
          else pi = searchLeft(rc, base, nd, recThrs[ri]);
          if (pi >= nd) break; // pycocotools stops at the first unreachable recall threshold
          qLocal[q] = pr[base + pi];
          sLocal[q] = sortedScore[pi];
        }
        for (; ri < R; ri++, q += AM) {
          qLocal[q] = 0;
          sLocal[q] = 0;
        }
      }
    }
  }
  // copy into [T,R,K,A,M]: for each (t, r) this category's A·M values are contiguous
  const { precision, scores } = out;
  for (let tr = 0; tr < T * R; tr++) {
    const src = tr * AM, dst = (tr * K + k) * AM;
    for (let i = 0; i < AM; i++) precision[dst + i] = qLocal[src + i];
    if (scores) for (let i = 0; i < AM; i++) scores[dst + i] = sLocal[src + i];
  }
}
