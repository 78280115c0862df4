import { iouPair } from '../../boxes/iou.js';
import type { DetectionTarget } from '../detection/types.js';
import { yoloBox, yoloCellChannels, type YoloGrid } from './output.js';

/** Targets of the YOLOv1 loss for one image (typed arrays; cells row-major, i then j). */
export interface YoloTargets {
  /** `Float32Array [S,S,B,4]`: (x, y, √w, √h) of the object predictor (i, j, k) is responsible for (0 elsewhere). */
  box: Float32Array;
  /** `Float32Array [S,S,B]`: 1ᵢⱼᵒᵇʲ, 1 where predictor k of cell (i, j) is responsible for an object. */
  obj: Float32Array;
  /** `Float32Array [S,S,B]`: the confidence target Ĉ of the responsible predictors (0 elsewhere). */
  confidence: Float32Array;
  /** `Float32Array [S,S]`: 1ᵢᵒᵇʲ, 1 where an object's centre falls in cell (i, j). */
  cell: Float32Array;
  /** `Float32Array [S,S,C]`: the one-hot class of the cell's object (0 elsewhere). */
  classes: Float32Array;
}

/** Options of {@link yoloTargets}. */
export interface YoloTargetOptions {
  /** Confidence target of the responsible predictor: its IoU with the object (the paper's, default) or 1. */
  confidence?: 'iou' | 'one';
}

/**
 * YOLOv1's target assignment (Redmon et al. 2016) for one image. An object belongs to the cell holding
 * its centre; of that cell's B predictors, the one whose current box has the highest IoU with the object
 * is responsible for it (ties: the lower index), its targets are the object's x, y relative to the cell
 * and √w, √h relative to the image, and its confidence target that IoU (or 1). A cell holds one class:
 * when several objects share a cell they are taken largest first, each claiming the best predictor still
 * free (those left without one are not learnt), and the class target is the largest object's.
 *
 * `prediction`: the image's activated outputs `Float32Array [S,S,5B+C]` (read only for the predictors'
 * boxes); `target`: boxes `[N,4] xyxy` in pixels of a `width × height` image, labels in 1..C.
 */
export function yoloTargets(prediction: ArrayLike<number>, target: DetectionTarget, grid: YoloGrid, width: number, height: number, options: YoloTargetOptions = {}): YoloTargets {
  const { s, b, c } = grid;
  const channels = yoloCellChannels(grid);
  const out: YoloTargets = { box: new Float32Array(s * s * b * 4), obj: new Float32Array(s * s * b), confidence: new Float32Array(s * s * b), cell: new Float32Array(s * s), classes: new Float32Array(s * s * c) };
  const n = target.labels.length;
  const area = (o: number) => (target.boxes[4 * o + 2] - target.boxes[4 * o]) * (target.boxes[4 * o + 3] - target.boxes[4 * o + 1]);
  const order = Array.from({ length: n }, (_, o) => o).sort((p, q) => area(q) - area(p) || p - q);
  for (const o of order) {
    const [x1, y1, x2, y2] = target.boxes.subarray(4 * o, 4 * o + 4);
    const cx = ((x1 + x2) / 2 / width) * s, cy = ((y1 + y2) / 2 / height) * s; // centre in cell units
    const j = Math.min(s - 1, Math.max(0, Math.floor(cx))), i = Math.min(s - 1, Math.max(0, Math.floor(cy)));
    const cellIndex = i * s + j;
    let best = -1, bestIou = -1;
    for (let k = 0; k < b; k++) {
      if (out.obj[cellIndex * b + k] === 1) continue;
      const [p1, q1, p2, q2] = yoloBox(prediction, cellIndex * channels, k, i, j, s, width, height);
      const iou = iouPair(p1, q1, p2, q2, x1, y1, x2, y2);
      if (iou > bestIou) [best, bestIou] = [k, iou];
    }
    if (best < 0) continue;
    const slot = cellIndex * b + best;
    out.obj[slot] = 1;
    out.confidence[slot] = options.confidence === 'one' ? 1 : bestIou;
    out.box.set([cx - j, cy - i, Math.sqrt((x2 - x1) / width), Math.sqrt((y2 - y1) / height)], 4 * slot);
    if (out.cell[cellIndex] === 0) {
      out.cell[cellIndex] = 1;
      out.classes[cellIndex * c + target.labels[o] - 1] = 1;
    }
  }
  return out;
}
