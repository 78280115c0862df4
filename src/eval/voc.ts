import { iouPair } from '../boxes/iou.js';
import { validateThreshold } from '../boxes/validate.js';
import { DetsegInputError } from '../util/errors.js';
import { precisionEnvelope, precisionRecallCurve, type PrCurve } from './curves.js';

/**
 * Pascal VOC detection evaluation (the devkit's VOCevaldet and VOCap):
 * 1. per class, every detection in decreasing score order (stable: ties keep their input order) is
 *    matched to the ground-truth box of the same class and image with the highest IoU (first on ties);
 * 2. IoU ≥ threshold and that box not yet taken → true positive (it is taken); already taken → false
 *    positive; that box marked difficult → ignored (neither); IoU below threshold or no overlapping box
 *    → false positive;
 * 3. AP from the precision/recall curve: 11-point (VOC2007) or all-point (VOC2010 and later);
 * 4. mAP = mean AP over the classes that have ground truth (non-difficult objects). Detections of a
 *    class without any such object are left out of the mAP (the devkit evaluates a fixed class list;
 *    Padilla's tool reports only ground-truth classes) and listed in {@link VocResult.classesWithoutGt}.
 */

/** Ground truth and detections of one image. Class ids index {@link VocDataset.classNames}. */
export interface VocImage {
  /** Image name (file base name), used in messages. */
  name: string;
  /** `Float64Array [G,4]` xyxy, pixels. */
  gtBoxes: Float64Array;
  /** `Int32Array [G]` class ids. */
  gtClasses: Int32Array;
  /** `Uint8Array [G]`: 1 for objects marked difficult. */
  gtDifficult: Uint8Array;
  /** `Float64Array [D,4]` xyxy, pixels. */
  dtBoxes: Float64Array;
  /** `Int32Array [D]` class ids. */
  dtClasses: Int32Array;
  /** `Float64Array [D]` confidence scores. */
  dtScores: Float64Array;
}

/** A whole evaluation set: the class names and the images, in a fixed order (ties in score keep it). */
export interface VocDataset {
  classNames: string[];
  images: VocImage[];
}

/** Which AP: `'11'` = VOC2007 11-point interpolation, `'all'` = VOC2010+ area under the envelope. */
export type VocInterpolation = '11' | 'all';

/** Options of {@link evaluateVoc}. */
export interface VocEvalOptions {
  /** IoU threshold in [0, 1] for a true positive (IoU ≥ threshold). Default 0.5. */
  iouThreshold?: number;
  /** AP interpolation. Default `'all'`. */
  interp?: VocInterpolation;
  /**
   * Legacy devkit convention: coordinates are inclusive pixel indices, so a box (x1, y1, x2, y2) is
   * (x2 − x1 + 1) × (y2 − y1 + 1) pixels and intersections gain +1 likewise. Default false.
   */
  plusOne?: boolean;
  /** Recall thresholds of the 11-point AP (default `'numpy'`, see {@link ElevenPointGrid}). */
  elevenPointGrid?: ElevenPointGrid;
}

/** The matching of one class: its detections in score order with their outcome. */
export interface VocClassMatches {
  classId: number;
  /** Non-difficult ground-truth objects of the class. */
  numGt: number;
  /** Difficult ground-truth objects of the class (never counted). */
  numDifficult: number;
  /** Detections of the class that were matched to a difficult object and ignored. */
  numIgnored: number;
  /** Scores of the detections taken (ignored ones left out), decreasing. `Float64Array [K]`. */
  scores: Float64Array;
  /** `Uint8Array [K]`: 1 true positive, 0 false positive. */
  isTp: Uint8Array;
  /** `Int32Array [K]`: image index of each detection taken. */
  imageIndex: Int32Array;
  /** `Int32Array [K]`: index of each detection taken within its image. */
  detectionIndex: Int32Array;
}

/** Results of one class. */
export interface VocClassResult extends VocClassMatches {
  className: string;
  /** Average precision in [0, 1]. */
  ap: number;
  /** True and false positives over all detections taken. */
  tp: number;
  fp: number;
  /** The PR curve (one point per detection taken). */
  curve: PrCurve;
}

/** Results of {@link evaluateVoc}. */
export interface VocResult {
  iouThreshold: number;
  interp: VocInterpolation;
  plusOne: boolean;
  /** One entry per class with ground truth, in class-id order. */
  classes: VocClassResult[];
  /** Mean AP over {@link classes}; NaN when there is none. */
  mAP: number;
  /** Classes that have detections but no (non-difficult) ground truth: left out of the mAP. */
  classesWithoutGt: { className: string; numDetections: number }[];
}

/**
 * IoU of two boxes in the legacy devkit convention (inclusive pixel indices, +1 on every width and
 * height). Corners in pixels; 0 when the boxes do not overlap.
 */
export function iouPairPlusOne(ax1: number, ay1: number, ax2: number, ay2: number, bx1: number, by1: number, bx2: number, by2: number): number {
  const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1) + 1;
  const ih = Math.min(ay2, by2) - Math.max(ay1, by1) + 1;
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (ax2 - ax1 + 1) * (ay2 - ay1 + 1) + (bx2 - bx1 + 1) * (by2 - by1 + 1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * All-point AP (VOC2010+): the area under the monotone envelope of the PR curve, summed over the
 * recall steps. `recall, precision: [K]` in detection order → AP in [0, 1].
 */
export function averagePrecisionAllPoint(recall: ArrayLike<number>, precision: ArrayLike<number>): number {
  const env = precisionEnvelope(recall, precision);
  let ap = 0;
  for (let i = 1; i < env.recall.length; i++) {
    if (env.recall[i] !== env.recall[i - 1]) ap += (env.recall[i] - env.recall[i - 1]) * env.precision[i];
  }
  return ap;
}

/**
 * Recall thresholds of the 11-point AP. `'numpy'`: t_k = k × 0.1 in double arithmetic, as numpy's
 * `arange(0, 1.1, 0.1)` / `linspace(0, 1, 11)` in the Python ports (py-faster-rcnn's voc_eval, Padilla's
 * tools), so t_3 = 0.30000000000000004, t_6 = 0.6000000000000001, t_7 = 0.7000000000000001; `'decimal'`:
 * the doubles nearest k/10. The two differ only for a recall exactly equal to 0.3, 0.6 or 0.7, which then
 * does not reach t under `'numpy'` (Padilla's published 11-point AP@0.1 depends on it: recall 9/15).
 */
export type ElevenPointGrid = 'numpy' | 'decimal';

/**
 * 11-point AP (VOC2007): mean over t = 0, 0.1, …, 1 of the highest precision at recall ≥ t (0 when the
 * recall never reaches t). `recall, precision: [K]` in detection order → AP in [0, 1]. `grid` picks the
 * exact threshold values (see {@link ElevenPointGrid}; default `'numpy'`, the reference tools' values).
 */
export function averagePrecision11Point(recall: ArrayLike<number>, precision: ArrayLike<number>, grid: ElevenPointGrid = 'numpy'): number {
  let sum = 0;
  for (let k = 0; k <= 10; k++) {
    const t = grid === 'numpy' ? k * 0.1 : k / 10;
    let best = 0;
    for (let i = 0; i < recall.length; i++) if (recall[i] >= t && precision[i] > best) best = precision[i];
    sum += best;
  }
  return sum / 11;
}

/** Checks the shapes and values of a dataset; throws a {@link DetsegInputError} naming the image and field. */
export function validateVocDataset(data: VocDataset): void {
  const nc = data.classNames.length;
  data.images.forEach((im, i) => {
    const where = (field: string) => ({ field: `images[${i}] (${im.name}).${field}` });
    const g = im.gtClasses.length;
    const d = im.dtClasses.length;
    if (im.gtBoxes.length !== 4 * g) throw new DetsegInputError(`expected ${4 * g} numbers for ${g} boxes, got ${im.gtBoxes.length}`, where('gtBoxes'));
    if (im.gtDifficult.length !== g) throw new DetsegInputError(`expected ${g} flags, got ${im.gtDifficult.length}`, where('gtDifficult'));
    if (im.dtBoxes.length !== 4 * d) throw new DetsegInputError(`expected ${4 * d} numbers for ${d} boxes, got ${im.dtBoxes.length}`, where('dtBoxes'));
    if (im.dtScores.length !== d) throw new DetsegInputError(`expected ${d} scores, got ${im.dtScores.length}`, where('dtScores'));
    for (const [field, classes] of [['gtClasses', im.gtClasses], ['dtClasses', im.dtClasses]] as const) {
      for (let j = 0; j < classes.length; j++) {
        if (!(classes[j] >= 0 && classes[j] < nc)) throw new DetsegInputError(`entry ${j} is ${classes[j]}, not a class id in [0, ${nc})`, where(field));
      }
    }
    for (const [field, boxes] of [['gtBoxes', im.gtBoxes], ['dtBoxes', im.dtBoxes]] as const) {
      for (let j = 0; j < boxes.length; j += 4) {
        const ok = Number.isFinite(boxes[j]) && Number.isFinite(boxes[j + 1]) && Number.isFinite(boxes[j + 2]) && Number.isFinite(boxes[j + 3]);
        if (!ok || boxes[j + 2] < boxes[j] || boxes[j + 3] < boxes[j + 1]) {
          throw new DetsegInputError(`box ${j / 4} is not a finite xyxy box with x1 ≤ x2, y1 ≤ y2: [${Array.from(boxes.subarray(j, j + 4)).join(', ')}]`, where(field));
        }
      }
    }
    for (let j = 0; j < d; j++) if (!Number.isFinite(im.dtScores[j])) throw new DetsegInputError(`score ${j} is ${im.dtScores[j]}`, where('dtScores'));
  });
}

/**
 * Matches the detections of class `classId` to the ground truth, VOC style (see the file comment).
 * `iouThreshold` in [0, 1]; a detection needs a positive overlap to match even at threshold 0, as in the
 * devkit. Returns the detections taken in decreasing score order with their outcome.
 */
export function matchVocClass(data: VocDataset, classId: number, iouThreshold: number, plusOne = false): VocClassMatches {
  const iou = plusOne ? iouPairPlusOne : iouPair;
  // gather the detections of the class: [N] each
  let n = 0;
  let numGt = 0;
  let numDifficult = 0;
  for (const im of data.images) {
    for (let j = 0; j < im.dtClasses.length; j++) if (im.dtClasses[j] === classId) n++;
    for (let j = 0; j < im.gtClasses.length; j++) {
      if (im.gtClasses[j] !== classId) continue;
      if (im.gtDifficult[j]) numDifficult++;
      else numGt++;
    }
  }
  const allScores = new Float64Array(n);
  const allImage = new Int32Array(n);
  const allDet = new Int32Array(n);
  let k = 0;
  data.images.forEach((im, i) => {
    for (let j = 0; j < im.dtClasses.length; j++) {
      if (im.dtClasses[j] !== classId) continue;
      allScores[k] = im.dtScores[j];
      allImage[k] = i;
      allDet[k] = j;
      k++;
    }
  });
  // decreasing score, ties in input order
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => allScores[b] - allScores[a] || a - b);

  // taken[gtOffset[i] + j]: box j of image i already matched. [total G]
  const gtOffset = new Int32Array(data.images.length + 1);
  data.images.forEach((im, i) => (gtOffset[i + 1] = gtOffset[i] + im.gtClasses.length));
  const taken = new Uint8Array(gtOffset[data.images.length]);
  const isTpAll = new Uint8Array(n);
  const keep = new Uint8Array(n);
  let numIgnored = 0;
  for (let r = 0; r < n; r++) {
    const q = order[r];
    const imIndex = allImage[q];
    const im = data.images[imIndex];
    const d = 4 * allDet[q];
    const dx1 = im.dtBoxes[d], dy1 = im.dtBoxes[d + 1], dx2 = im.dtBoxes[d + 2], dy2 = im.dtBoxes[d + 3];
    let best = 0;
    let bestJ = -1;
    for (let j = 0; j < im.gtClasses.length; j++) {
      if (im.gtClasses[j] !== classId) continue;
      const g = 4 * j;
      const o = iou(dx1, dy1, dx2, dy2, im.gtBoxes[g], im.gtBoxes[g + 1], im.gtBoxes[g + 2], im.gtBoxes[g + 3]);
      if (o > best) {
        best = o;
        bestJ = j;
      }
    }
    keep[r] = 1;
    if (bestJ >= 0 && best >= iouThreshold) {
      if (im.gtDifficult[bestJ]) {
        keep[r] = 0;
        numIgnored++;
      } else if (!taken[gtOffset[imIndex] + bestJ]) {
        isTpAll[r] = 1;
        taken[gtOffset[imIndex] + bestJ] = 1;
      }
    }
  }
  const kept = n - numIgnored;
  const scores = new Float64Array(kept);
  const isTp = new Uint8Array(kept);
  const imageIndex = new Int32Array(kept);
  const detectionIndex = new Int32Array(kept);
  let w = 0;
  for (let r = 0; r < n; r++) {
    if (!keep[r]) continue;
    const q = order[r];
    scores[w] = allScores[q];
    isTp[w] = isTpAll[r];
    imageIndex[w] = allImage[q];
    detectionIndex[w] = allDet[q];
    w++;
  }
  return { classId, numGt, numDifficult, numIgnored, scores, isTp, imageIndex, detectionIndex };
}

/**
 * Evaluates a dataset VOC style (see the file comment): AP per class with ground truth, and their mean.
 * Throws a {@link DetsegInputError} on a threshold outside [0, 1] or malformed arrays.
 */
export function evaluateVoc(data: VocDataset, options: VocEvalOptions = {}): VocResult {
  const iouThreshold = options.iouThreshold ?? 0.5;
  const interp = options.interp ?? 'all';
  const plusOne = options.plusOne ?? false;
  validateThreshold(iouThreshold, 'iouThreshold');
  if (interp !== 'all' && interp !== '11') throw new DetsegInputError(`must be '11' or 'all', got '${interp}'`, { field: 'interp' });
  validateVocDataset(data);
  const classes: VocClassResult[] = [];
  const classesWithoutGt: VocResult['classesWithoutGt'] = [];
  for (let c = 0; c < data.classNames.length; c++) {
    const m = matchVocClass(data, c, iouThreshold, plusOne);
    if (m.numGt === 0) {
      const numDetections = m.scores.length + m.numIgnored;
      if (numDetections > 0) classesWithoutGt.push({ className: data.classNames[c], numDetections });
      continue;
    }
    const curve = precisionRecallCurve(m.isTp, m.scores, m.numGt);
    const ap = interp === 'all' ? averagePrecisionAllPoint(curve.recall, curve.precision) : averagePrecision11Point(curve.recall, curve.precision, options.elevenPointGrid ?? 'numpy');
    let tp = 0;
    for (let i = 0; i < m.isTp.length; i++) tp += m.isTp[i];
    classes.push({ ...m, className: data.classNames[c], ap, tp, fp: m.isTp.length - tp, curve });
  }
  const mAP = classes.length ? classes.reduce((s, r) => s + r.ap, 0) / classes.length : Number.NaN;
  return { iouThreshold, interp, plusOne, classes, mAP, classesWithoutGt };
}
