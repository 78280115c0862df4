import { iouPair } from '../boxes/iou.js';
import { validateBoxes, validateThreshold } from '../boxes/validate.js';
import { DetsegInputError } from '../util/errors.js';

/**
 * The detection confusion matrix of Ultralytics (`ConfusionMatrix.process_batch`), with a background
 * class: `(C+1) × (C+1)` counts, **row = predicted class, column = true class**, index C = background.
 *
 * Per image:
 * 1. keep the detections with confidence > `confThreshold` (0.25; strictly greater, as Ultralytics);
 * 2. candidate pairs: every (object, detection) with IoU > `iouThreshold` (0.45, strictly greater),
 *    whatever their classes (the matrix is where class confusions show);
 * 3. one-to-one by IoU: pairs in decreasing IoU (ties: object index, then detection index — Ultralytics'
 *    numpy argsort leaves ties unspecified); each detection keeps its best pair, then each object keeps
 *    its best remaining pair. A detection whose best object went to another detection stays unmatched,
 *    even if it overlaps another object above the threshold (Ultralytics' behaviour);
 * 4. each object: matched → [class of its detection, its class] += 1; unmatched → [background, its
 *    class] += 1 (a missed object, false negative);
 * 5. each kept detection left unmatched → [its class, background] += 1 (false positive).
 * Step 5 counts every unmatched detection. Ultralytics releases before the fix of the `if n:` guard
 * (yolov5 issue #11635, ultralytics issue #13350) skipped it in images where no pair matched at all.
 * The background/background cell stays 0.
 */
export class DetectionConfusionMatrix {
  /** `Int32Array [(C+1)*(C+1)]`, row-major: `counts[pred * (C+1) + true]`. */
  readonly counts: Int32Array;
  readonly size: number;

  constructor(
    /** Number of object classes C (ids 0 … C−1); the background is C. */
    readonly numClasses: number,
    readonly confThreshold = 0.25,
    readonly iouThreshold = 0.45,
  ) {
    if (!(Number.isInteger(numClasses) && numClasses >= 1)) throw new DetsegInputError(`must be an integer ≥ 1, got ${numClasses}`, { field: 'numClasses' });
    validateThreshold(confThreshold, 'confThreshold');
    validateThreshold(iouThreshold, 'iouThreshold');
    this.size = numClasses + 1;
    this.counts = new Int32Array(this.size * this.size);
  }

  /** Count at (predicted class, true class); `numClasses` stands for background. */
  at(predicted: number, truth: number): number {
    return this.counts[predicted * this.size + truth];
  }

  /**
   * Adds one image. `gtBoxes: [G,4] xyxy`, `gtClasses: [G]`, `dtBoxes: [D,4] xyxy`, `dtClasses: [D]`,
   * `dtScores: [D]`; class ids in [0, C). Throws a {@link DetsegInputError} on bad shapes or ids.
   */
  addImage(gtBoxes: ArrayLike<number>, gtClasses: ArrayLike<number>, dtBoxes: ArrayLike<number>, dtClasses: ArrayLike<number>, dtScores: ArrayLike<number>): void {
    const g = validateBoxes(gtBoxes, 'gtBoxes');
    const dAll = validateBoxes(dtBoxes, 'dtBoxes');
    if (gtClasses.length !== g) throw new DetsegInputError(`expected ${g} class ids, got ${gtClasses.length}`, { field: 'gtClasses' });
    if (dtClasses.length !== dAll || dtScores.length !== dAll) throw new DetsegInputError(`expected ${dAll} class ids and scores, got ${dtClasses.length} and ${dtScores.length}`, { field: 'dtClasses/dtScores' });
    const c = this.numClasses;
    for (const [field, ids] of [['gtClasses', gtClasses], ['dtClasses', dtClasses]] as const) {
      for (let i = 0; i < ids.length; i++) if (!(Number.isInteger(ids[i]) && ids[i] >= 0 && ids[i] < c)) throw new DetsegInputError(`entry ${i} is ${ids[i]}, not a class id in [0, ${c})`, { field });
    }
    // detections kept: indices into the inputs, [D]
    const kept: number[] = [];
    for (let j = 0; j < dAll; j++) {
      if (!Number.isFinite(dtScores[j])) throw new DetsegInputError(`score ${j} is ${dtScores[j]}`, { field: 'dtScores' });
      if (dtScores[j] > this.confThreshold) kept.push(j);
    }
    const d = kept.length;
    // candidate pairs above the IoU threshold: object index, kept-detection index, IoU
    const pairGt: number[] = [];
    const pairDt: number[] = [];
    const pairIou: number[] = [];
    for (let i = 0; i < g; i++) {
      for (let k = 0; k < d; k++) {
        const j = kept[k];
        const o = iouPair(gtBoxes[4 * i], gtBoxes[4 * i + 1], gtBoxes[4 * i + 2], gtBoxes[4 * i + 3], dtBoxes[4 * j], dtBoxes[4 * j + 1], dtBoxes[4 * j + 2], dtBoxes[4 * j + 3]);
        if (o > this.iouThreshold) {
          pairGt.push(i);
          pairDt.push(k);
          pairIou.push(o);
        }
      }
    }
    const order = Array.from(pairIou.keys()).sort((p, q) => pairIou[q] - pairIou[p] || pairGt[p] - pairGt[q] || pairDt[p] - pairDt[q]);
    // each detection's best pair, then each object's best among those
    const dtSeen = new Uint8Array(d);
    const detOfGt = new Int32Array(g).fill(-1); // [G] matched kept-detection index
    const gtOfDt = new Int32Array(d).fill(-1); // [D]
    const bestPerDt: number[] = [];
    for (const p of order) {
      if (dtSeen[pairDt[p]]) continue;
      dtSeen[pairDt[p]] = 1;
      bestPerDt.push(p);
    }
    for (const p of bestPerDt) {
      if (detOfGt[pairGt[p]] !== -1) continue;
      detOfGt[pairGt[p]] = pairDt[p];
      gtOfDt[pairDt[p]] = pairGt[p];
    }
    const n = this.size;
    for (let i = 0; i < g; i++) {
      const predicted = detOfGt[i] === -1 ? c : dtClasses[kept[detOfGt[i]]];
      this.counts[predicted * n + gtClasses[i]]++;
    }
    for (let k = 0; k < d; k++) if (gtOfDt[k] === -1) this.counts[dtClasses[kept[k]] * n + c]++;
  }

  /** Per class (without background): true positives (diagonal), false positives (row − diagonal), false negatives (column − diagonal). `Int32Array [C]` each. */
  truePositivesFalsePositives(): { tp: Int32Array; fp: Int32Array; fn: Int32Array } {
    const c = this.numClasses;
    const n = this.size;
    const tp = new Int32Array(c), fp = new Int32Array(c), fn = new Int32Array(c);
    for (let k = 0; k < c; k++) {
      tp[k] = this.counts[k * n + k];
      for (let j = 0; j < n; j++) {
        fp[k] += this.counts[k * n + j];
        fn[k] += this.counts[j * n + k];
      }
      fp[k] -= tp[k];
      fn[k] -= tp[k];
    }
    return { tp, fp, fn };
  }

  /** The matrix with each column divided by its sum (Ultralytics' normalized plot); empty columns stay 0. `Float64Array [(C+1)*(C+1)]`. */
  normalizedByTruth(): Float64Array {
    const n = this.size;
    const out = new Float64Array(n * n);
    for (let col = 0; col < n; col++) {
      let sum = 0;
      for (let row = 0; row < n; row++) sum += this.counts[row * n + col];
      if (sum > 0) for (let row = 0; row < n; row++) out[row * n + col] = this.counts[row * n + col] / sum;
    }
    return out;
  }
}
