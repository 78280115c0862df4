/**
 * Precision/recall curves of one class, as typed-array data (plots live in `eval/plots.ts`):
 * - the raw PR curve of the lecture: one point per detection taken in decreasing score order, with the
 *   precision and recall after it;
 * - its interpolated (monotone) envelope, whose area is the all-point AP of VOC2010+;
 * - P, R and F1 as functions of a confidence threshold (Ultralytics' F1-confidence plot).
 */

/** The PR curve of one class. All arrays have one entry per detection taken, `[K]`, in score order. */
export interface PrCurve {
  /** Detection scores, decreasing. `Float64Array [K]`. */
  scores: Float64Array;
  /** Precision after the first k+1 detections: TP / (k+1). `Float64Array [K]`, in [0, 1]. */
  precision: Float64Array;
  /** Recall after the first k+1 detections: TP / numGt. `Float64Array [K]`, in [0, 1]. */
  recall: Float64Array;
  /** Number of ground-truth objects that count (non-difficult). */
  numGt: number;
}

/**
 * The PR curve from the outcome of each detection in decreasing score order.
 *
 * `isTp: [K]` (1 true positive, 0 false positive; detections ignored by the matcher, e.g. on difficult
 * objects, must be left out beforehand), `scores: [K]` decreasing, `numGt` the number of objects to
 * find. When `numGt` is 0 the recall is 0 everywhere (there is nothing to find).
 */
export function precisionRecallCurve(isTp: ArrayLike<number>, scores: ArrayLike<number>, numGt: number): PrCurve {
  const k = isTp.length;
  if (scores.length !== k) throw new Error(`precisionRecallCurve: ${k} outcomes but ${scores.length} scores`);
  const precision = new Float64Array(k);
  const recall = new Float64Array(k);
  const scoreCopy = Float64Array.from(scores);
  let tp = 0;
  for (let i = 0; i < k; i++) {
    if (isTp[i]) tp++;
    precision[i] = tp / (i + 1);
    recall[i] = numGt > 0 ? tp / numGt : 0;
  }
  return { scores: scoreCopy, precision, recall, numGt };
}

/** The interpolated PR curve: recall with sentinels 0 and 1, and the monotone precision envelope. */
export interface PrEnvelope {
  /** `Float64Array [K+2]`: 0, the recalls of the curve, 1 (non-decreasing). */
  recall: Float64Array;
  /**
   * `Float64Array [K+2]`: precision[i] = max of the raw precision at every point from i on (sentinel 0
   * after the last point), i.e. the best precision reachable at recall ≥ recall[i]. Non-increasing.
   */
  precision: Float64Array;
}

/**
 * The monotone envelope of a PR curve (the VOC devkit's `mrec`/`mpre` of VOCap): sentinel points
 * (recall 0, precision 0) before and (recall 1, precision 0) after, then precision replaced by its
 * running maximum from the right. `recall, precision: [K]` → {@link PrEnvelope} with `[K+2]` arrays.
 */
export function precisionEnvelope(recall: ArrayLike<number>, precision: ArrayLike<number>): PrEnvelope {
  const k = recall.length;
  const mrec = new Float64Array(k + 2);
  const mpre = new Float64Array(k + 2);
  for (let i = 0; i < k; i++) {
    mrec[i + 1] = recall[i];
    mpre[i + 1] = precision[i];
  }
  mrec[k + 1] = 1;
  for (let i = k; i >= 0; i--) if (mpre[i + 1] > mpre[i]) mpre[i] = mpre[i + 1];
  return { recall: mrec, precision: mpre };
}

/** P, R and F1 of one class as functions of the confidence threshold. All arrays are `[T]`. */
export interface ConfidenceCurve {
  /** Confidence thresholds, increasing. `Float64Array [T]`. */
  confidence: Float64Array;
  /** Precision of the detections with score ≥ threshold; 1 when there is none (Ultralytics' convention). */
  precision: Float64Array;
  /** Recall of the detections with score ≥ threshold. */
  recall: Float64Array;
  /** Harmonic mean 2PR / (P + R); 0 when P + R = 0. */
  f1: Float64Array;
}

/** `count` evenly spaced thresholds from 0 to 1 inclusive (Ultralytics uses 1000). `Float64Array [count]`. */
export function confidenceGrid(count = 101): Float64Array {
  if (!(Number.isInteger(count) && count >= 2)) throw new Error(`confidenceGrid: count must be an integer ≥ 2, got ${count}`);
  const grid = new Float64Array(count);
  for (let i = 0; i < count; i++) grid[i] = i / (count - 1);
  return grid;
}

/**
 * Precision, recall and F1 at every confidence threshold of `thresholds` (default {@link confidenceGrid}),
 * counting the detections whose score is ≥ the threshold. Exact step functions of the threshold (the
 * counts at each threshold), where Ultralytics interpolates linearly between detection scores; the
 * convention for no detection (precision 1, recall 0) is Ultralytics'.
 *
 * `isTp: [K]`, `scores: [K]` decreasing (as returned by the VOC matcher), `numGt` objects to find.
 */
export function confidenceCurve(isTp: ArrayLike<number>, scores: ArrayLike<number>, numGt: number, thresholds: Float64Array = confidenceGrid()): ConfidenceCurve {
  const k = isTp.length;
  const cumTp = new Int32Array(k + 1); // cumTp[i] = TP among the first i detections
  for (let i = 0; i < k; i++) {
    if (i > 0 && scores[i] > scores[i - 1]) throw new Error('confidenceCurve: scores must be in decreasing order');
    cumTp[i + 1] = cumTp[i] + (isTp[i] ? 1 : 0);
  }
  const t = thresholds.length;
  const precision = new Float64Array(t);
  const recall = new Float64Array(t);
  const f1 = new Float64Array(t);
  for (let j = 0; j < t; j++) {
    // taken = number of detections with score ≥ threshold (binary search over decreasing scores)
    let lo = 0, hi = k;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (scores[mid] >= thresholds[j]) lo = mid + 1;
      else hi = mid;
    }
    const taken = lo;
    const tp = cumTp[taken];
    const p = taken > 0 ? tp / taken : 1;
    const r = numGt > 0 ? tp / numGt : 0;
    precision[j] = p;
    recall[j] = r;
    f1[j] = p + r > 0 ? (2 * p * r) / (p + r) : 0;
  }
  return { confidence: Float64Array.from(thresholds), precision, recall, f1 };
}

/**
 * The mean over classes of P, R and F1 at each threshold (Ultralytics' "all classes" curve), and the
 * highest threshold where the mean F1 is at its best (ties go to the higher threshold: fewer detections
 * for the same F1). Every curve must share the thresholds.
 */
export function meanConfidenceCurve(curves: ConfidenceCurve[]): ConfidenceCurve & { bestIndex: number } {
  if (curves.length === 0) throw new Error('meanConfidenceCurve: no curve');
  const t = curves[0].confidence.length;
  const precision = new Float64Array(t);
  const recall = new Float64Array(t);
  const f1 = new Float64Array(t);
  for (const c of curves) {
    if (c.confidence.length !== t) throw new Error('meanConfidenceCurve: curves have different thresholds');
    for (let j = 0; j < t; j++) {
      precision[j] += c.precision[j] / curves.length;
      recall[j] += c.recall[j] / curves.length;
      f1[j] += c.f1[j] / curves.length;
    }
  }
  let bestIndex = 0;
  for (let j = 1; j < t; j++) if (f1[j] >= f1[bestIndex]) bestIndex = j;
  return { confidence: Float64Array.from(curves[0].confidence), precision, recall, f1, bestIndex };
}
