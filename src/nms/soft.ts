import type { BoxArray } from '../boxes/types.js';
import { iouPair } from '../boxes/iou.js';
import { DetsegInputError } from '../util/errors.js';
import { validateNmsInput } from './input.js';

/** Options of {@link softNms}; defaults are those of Bodla et al.'s released code. */
export interface SoftNmsOptions {
  /** 'linear': s ← s (1 − IoU) when IoU > `iouThreshold`; 'gaussian': s ← s e^{−IoU²/σ} (default 'linear'). */
  method?: 'linear' | 'gaussian';
  /** N_t of the linear rule, in [0, 1] (default 0.3). Not used by the Gaussian rule. */
  iouThreshold?: number;
  /** σ of the Gaussian rule, > 0 (default 0.5). */
  sigma?: number;
  /** Boxes whose (decayed) score falls below this are discarded (default 0.001). */
  scoreThreshold?: number;
}

/** Result of {@link softNms}: kept boxes by decreasing decayed score. */
export interface SoftNmsResult {
  /** Indices into the input boxes, `Int32Array [K]`. */
  indices: Int32Array;
  /** Their decayed scores, `Float32Array [K]`, non-increasing. */
  scores: Float32Array;
}

/**
 * Soft-NMS (Bodla, Singh, Chellappa, Davis, "Soft-NMS — Improving Object Detection With One Line of
 * Code", ICCV 2017). Instead of deleting the boxes that overlap a selected box, their scores are
 * decayed by a function of the overlap: repeatedly select the remaining box M with the highest score
 * (lowest index on ties), then multiply the score s_i of every remaining box b_i by
 * - linear: 1 − IoU(M, b_i) if IoU(M, b_i) > N_t, else 1;
 * - Gaussian: e^{−IoU(M, b_i)² / σ}.
 * Boxes whose score drops below `scoreThreshold` are discarded (a box below it could only be selected
 * after every box above it, so discarding early changes nothing). O(N²) time.
 *
 * `boxes: [N,4] xyxy`, `scores: [N]` → {@link SoftNmsResult}: kept indices and decayed scores, in the
 * order selected, which is by non-increasing decayed score.
 */
export function softNms(boxes: BoxArray, scores: ArrayLike<number>, options: SoftNmsOptions = {}): SoftNmsResult {
  const method = options.method ?? 'linear';
  const iouThreshold = options.iouThreshold ?? 0.3;
  const sigma = options.sigma ?? 0.5;
  const scoreThreshold = options.scoreThreshold ?? 0.001;
  const n = validateNmsInput(boxes, scores, iouThreshold);
  if (method !== 'linear' && method !== 'gaussian') throw new DetsegInputError(`must be 'linear' or 'gaussian', got '${String(method)}'`, { field: 'method' });
  if (!(Number.isFinite(sigma) && sigma > 0)) throw new DetsegInputError(`must be a finite number > 0, got ${sigma}`, { field: 'sigma' });
  if (Number.isNaN(scoreThreshold)) throw new DetsegInputError('must be a number, got NaN', { field: 'scoreThreshold' });
  const score = Float64Array.from(scores); // [N] decayed scores
  // remaining candidates, ascending index so that the first maximum found is the lowest index
  let remaining = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) if (score[i] >= scoreThreshold) remaining[count++] = i;
  const keptIndices = new Int32Array(count);
  const keptScores = new Float32Array(count);
  let kept = 0;
  while (count > 0) {
    let best = 0;
    for (let r = 1; r < count; r++) if (score[remaining[r]] > score[remaining[best]]) best = r;
    const m = remaining[best];
    keptIndices[kept] = m;
    keptScores[kept++] = score[m];
    const mx1 = boxes[4 * m], my1 = boxes[4 * m + 1], mx2 = boxes[4 * m + 2], my2 = boxes[4 * m + 3];
    let w = 0;
    for (let r = 0; r < count; r++) {
      const i = remaining[r];
      if (i === m) continue;
      const iou = iouPair(mx1, my1, mx2, my2, boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]);
      if (method === 'linear') {
        if (iou > iouThreshold) score[i] *= 1 - iou;
      } else {
        score[i] *= Math.exp(-(iou * iou) / sigma);
      }
      if (score[i] >= scoreThreshold) remaining[w++] = i;
    }
    count = w;
  }
  return { indices: keptIndices.slice(0, kept), scores: keptScores.slice(0, kept) };
}
