import { DetsegInputError } from '../util/errors.js';
import { validateThreshold } from '../boxes/validate.js';

/** Match value of a prediction whose best quality is below the low threshold (a negative). */
export const BELOW_LOW_THRESHOLD = -1;
/** Match value of a prediction whose best quality is in [low, high) (ignored in training). */
export const BETWEEN_THRESHOLDS = -2;

/** Options of {@link Matcher}; defaults are the RPN's (Faster R-CNN: 0.7 / 0.3, low-quality matches allowed). */
export interface MatcherOptions {
  /** Quality ≥ this makes a match (default 0.7). */
  highThreshold?: number;
  /** Quality < this makes a negative (default 0.3); in between is ignored. Must be ≤ highThreshold. */
  lowThreshold?: number;
  /**
   * Also match, for each ground truth, the prediction(s) of highest quality with it, even below the
   * high threshold, so that every ground truth gets at least one anchor (default true, as the RPN).
   */
  allowLowQualityMatches?: boolean;
}

/**
 * Assigns each prediction (anchor, proposal) to a ground-truth box, with torchvision's `Matcher`
 * semantics. Given the quality matrix `[M ground truths, N predictions]` (IoU):
 * 1. each prediction takes the ground truth of highest quality (the lowest index on ties);
 * 2. if that quality is < low it becomes {@link BELOW_LOW_THRESHOLD}, if in [low, high)
 *    {@link BETWEEN_THRESHOLDS};
 * 3. with low-quality matches allowed, for each ground truth g every prediction whose quality with g
 *    equals g's best quality (all of them on ties) gets back the match of step 1 — the ground truth it
 *    overlaps most, which is not always g. As in torchvision, a ground truth that overlaps no
 *    prediction (best quality 0) thereby restores every prediction of quality 0 with it.
 * With no ground truth every prediction is {@link BELOW_LOW_THRESHOLD} (torchvision raises instead).
 */
export class Matcher {
  readonly highThreshold: number;
  readonly lowThreshold: number;
  readonly allowLowQualityMatches: boolean;

  constructor(options: MatcherOptions = {}) {
    this.highThreshold = options.highThreshold ?? 0.7;
    this.lowThreshold = options.lowThreshold ?? 0.3;
    this.allowLowQualityMatches = options.allowLowQualityMatches ?? true;
    validateThreshold(this.highThreshold, 'highThreshold');
    validateThreshold(this.lowThreshold, 'lowThreshold');
    if (this.lowThreshold > this.highThreshold) throw new DetsegInputError(`${this.lowThreshold} is above highThreshold ${this.highThreshold}`, { field: 'lowThreshold' });
  }

  /**
   * `quality: [M,N]` row-major (row g: ground truth g against every prediction; e.g. `boxIou(gt,
   * anchors)`), finite → `Int32Array [N]`: for each prediction the index of its ground truth, or
   * {@link BELOW_LOW_THRESHOLD} / {@link BETWEEN_THRESHOLDS}.
   */
  match(quality: ArrayLike<number>, numGt: number, numPredictions: number): Int32Array {
    if (quality.length !== numGt * numPredictions) {
      throw new DetsegInputError(`expected ${numGt}×${numPredictions} = ${numGt * numPredictions} values, got ${quality.length}`, { field: 'quality' });
    }
    for (let k = 0; k < quality.length; k++) {
      if (!Number.isFinite(quality[k])) throw new DetsegInputError(`value at ground truth ${Math.floor(k / numPredictions)}, prediction ${k % numPredictions} is not finite (${quality[k]})`, { field: 'quality' });
    }
    const n = numPredictions;
    const matches = new Int32Array(n).fill(BELOW_LOW_THRESHOLD);
    if (numGt === 0) return matches;
    const best = new Float64Array(n).fill(-Infinity); // [N] best quality per prediction
    const bestGt = new Int32Array(n); // [N] its ground truth (first on ties)
    for (let g = 0; g < numGt; g++) {
      const row = g * n;
      for (let j = 0; j < n; j++) if (quality[row + j] > best[j]) { best[j] = quality[row + j]; bestGt[j] = g; }
    }
    for (let j = 0; j < n; j++) {
      matches[j] = best[j] < this.lowThreshold ? BELOW_LOW_THRESHOLD : best[j] < this.highThreshold ? BETWEEN_THRESHOLDS : bestGt[j];
    }
    if (this.allowLowQualityMatches) {
      for (let g = 0; g < numGt; g++) {
        const row = g * n;
        let top = -Infinity;
        for (let j = 0; j < n; j++) if (quality[row + j] > top) top = quality[row + j];
        for (let j = 0; j < n; j++) if (quality[row + j] === top) matches[j] = bestGt[j];
      }
    }
    return matches;
  }
}

/**
 * Training labels from matches, as the RPN uses them: `matches: [N]` → `Int8Array [N]` with 1 for a
 * match (foreground), 0 for {@link BELOW_LOW_THRESHOLD} (background), −1 for
 * {@link BETWEEN_THRESHOLDS} (ignored).
 */
export function matchLabels(matches: ArrayLike<number>): Int8Array {
  const labels = new Int8Array(matches.length);
  for (let j = 0; j < matches.length; j++) labels[j] = matches[j] >= 0 ? 1 : matches[j] === BETWEEN_THRESHOLDS ? -1 : 0;
  return labels;
}
