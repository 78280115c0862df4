import { DetsegInputError } from '../util/errors.js';

/**
 * Semantic-segmentation metrics from a pixel confusion matrix accumulated over images:
 * pixel accuracy, per-class IoU (Jaccard) and Dice (F1), their means, and binary Dice of two masks.
 *
 * Conventions (as mmsegmentation / torchmetrics with `absent` classes ignored):
 * - `counts[t * C + p]` = pixels of true class t predicted as p (rows = truth, columns = prediction);
 * - IoU_c = TP / (TP + FP + FN), Dice_c = 2TP / (2TP + FP + FN);
 * - a class absent from both prediction and ground truth over all images accumulated has IoU and Dice
 *   NaN and is **excluded from the means** (it was neither found nor missed); a class present in one
 *   only has IoU 0;
 * - pixels whose true label is `ignoreIndex` (e.g. 255, the VOC boundary) are skipped.
 */
export class SegmentationConfusion {
  /** `Float64Array [C*C]` pixel counts, `counts[truth * C + predicted]` (doubles: exact to 2^53 pixels). */
  readonly counts: Float64Array;

  constructor(
    /** Number of classes C (labels 0 … C−1, background included). */
    readonly numClasses: number,
    /** True label to skip (and predictions at those pixels), or undefined. */
    readonly ignoreIndex?: number,
  ) {
    if (!(Number.isInteger(numClasses) && numClasses >= 1)) throw new DetsegInputError(`must be an integer ≥ 1, got ${numClasses}`, { field: 'numClasses' });
    this.counts = new Float64Array(numClasses * numClasses);
  }

  /**
   * Adds one image (or a batch, flattened): `predicted: [H*W]` and `truth: [H*W]` integer labels, in the
   * same pixel order. Throws a {@link DetsegInputError} on a size mismatch or a label outside [0, C)
   * (other than `ignoreIndex` in `truth`), naming the array and pixel index.
   */
  add(predicted: ArrayLike<number>, truth: ArrayLike<number>, name = 'image'): void {
    if (predicted.length !== truth.length) throw new DetsegInputError(`prediction has ${predicted.length} pixels, ground truth ${truth.length}`, { field: name });
    const c = this.numClasses;
    for (let i = 0; i < truth.length; i++) {
      const t = truth[i];
      if (t === this.ignoreIndex) continue;
      const p = predicted[i];
      if (!(t >= 0 && t < c && Number.isInteger(t))) throw new DetsegInputError(`pixel ${i} has label ${t}, not in [0, ${c})`, { field: `${name}.truth` });
      if (!(p >= 0 && p < c && Number.isInteger(p))) throw new DetsegInputError(`pixel ${i} has label ${p}, not in [0, ${c})`, { field: `${name}.predicted` });
      this.counts[t * c + p]++;
    }
  }

  /** The metrics of everything added so far. */
  metrics(): SegmentationMetrics {
    return segmentationMetrics(this.counts, this.numClasses);
  }
}

/** Metrics of a pixel confusion matrix. Per-class arrays are `Float64Array [C]`. */
export interface SegmentationMetrics {
  /** Correct pixels / all counted pixels (NaN when none). */
  pixelAccuracy: number;
  /** TP / (TP + FN) per class: the recall of each class (NaN when absent from the ground truth). */
  classAccuracy: Float64Array;
  /** IoU per class (NaN when absent from prediction and ground truth). */
  iou: Float64Array;
  /** Mean IoU over the classes present in prediction or ground truth. */
  meanIou: number;
  /** Dice per class (NaN when absent from both). */
  dice: Float64Array;
  /** Mean Dice over the classes present in prediction or ground truth. */
  meanDice: number;
  /** `Uint8Array [C]`: 1 for the classes counted in the means. */
  present: Uint8Array;
}

/** Metrics from pixel counts `counts: [C*C]` (`counts[truth * C + predicted]`); see {@link SegmentationConfusion}. */
export function segmentationMetrics(counts: ArrayLike<number>, numClasses: number): SegmentationMetrics {
  const c = numClasses;
  if (counts.length !== c * c) throw new DetsegInputError(`expected ${c * c} counts for ${c} classes, got ${counts.length}`, { field: 'counts' });
  const iou = new Float64Array(c);
  const dice = new Float64Array(c);
  const classAccuracy = new Float64Array(c);
  const present = new Uint8Array(c);
  let correct = 0;
  let total = 0;
  let iouSum = 0;
  let diceSum = 0;
  let numPresent = 0;
  for (let k = 0; k < c; k++) {
    const tp = counts[k * c + k];
    let rowSum = 0; // ground-truth pixels of k
    let colSum = 0; // predicted pixels of k
    for (let j = 0; j < c; j++) {
      rowSum += counts[k * c + j];
      colSum += counts[j * c + k];
    }
    correct += tp;
    total += rowSum;
    const fn = rowSum - tp;
    const fp = colSum - tp;
    classAccuracy[k] = rowSum > 0 ? tp / rowSum : Number.NaN;
    if (rowSum + colSum === 0) {
      iou[k] = Number.NaN;
      dice[k] = Number.NaN;
      continue;
    }
    present[k] = 1;
    numPresent++;
    iou[k] = tp / (tp + fp + fn);
    dice[k] = (2 * tp) / (2 * tp + fp + fn);
    iouSum += iou[k];
    diceSum += dice[k];
  }
  return {
    pixelAccuracy: total > 0 ? correct / total : Number.NaN,
    classAccuracy,
    iou,
    meanIou: numPresent ? iouSum / numPresent : Number.NaN,
    dice,
    meanDice: numPresent ? diceSum / numPresent : Number.NaN,
    present,
  };
}

/**
 * Dice of two binary masks `predicted, truth: [H*W]` (nonzero = foreground): 2|P ∩ T| / (|P| + |T|).
 * Both empty → `emptyValue` (default 1: the prediction agrees with the truth that there is nothing).
 */
export function binaryDice(predicted: ArrayLike<number>, truth: ArrayLike<number>, emptyValue = 1): number {
  if (predicted.length !== truth.length) throw new DetsegInputError(`prediction has ${predicted.length} pixels, ground truth ${truth.length}`, { field: 'mask' });
  let inter = 0, sp = 0, st = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i] ? 1 : 0;
    const t = truth[i] ? 1 : 0;
    inter += p & t;
    sp += p;
    st += t;
  }
  return sp + st === 0 ? emptyValue : (2 * inter) / (sp + st);
}

/** IoU of two binary masks `[H*W]` (nonzero = foreground): |P ∩ T| / |P ∪ T|; both empty → `emptyValue` (default 1). */
export function binaryIou(predicted: ArrayLike<number>, truth: ArrayLike<number>, emptyValue = 1): number {
  if (predicted.length !== truth.length) throw new DetsegInputError(`prediction has ${predicted.length} pixels, ground truth ${truth.length}`, { field: 'mask' });
  let inter = 0, union = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i] ? 1 : 0;
    const t = truth[i] ? 1 : 0;
    inter += p & t;
    union += p | t;
  }
  return union === 0 ? emptyValue : inter / union;
}
