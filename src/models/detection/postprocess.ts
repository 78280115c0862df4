import { BoxCoder } from '../../boxes/coder.js';
import { clipBoxes } from '../../boxes/formats.js';
import { batchedNms } from '../../nms/batched.js';
import type { Detections } from './types.js';

/** Options of {@link postprocessDetections}; defaults are torchvision's Faster R-CNN test settings. */
export interface PostprocessOptions {
  /** Class probabilities at or below this are dropped (default 0.05). */
  scoreThreshold?: number;
  /** IoU threshold of the per-class NMS (default 0.5). */
  nmsThreshold?: number;
  /** Detections kept per image, best first (default 100). */
  detectionsPerImage?: number;
  /** Boxes narrower or lower than this many pixels are dropped (default 1e-2). */
  minSize?: number;
  /** At most this many candidates per class, best first, enter the NMS (default: all; torchvision's SSD: 400). */
  candidatesPerClass?: number;
}

/**
 * Detections of one image from the box head's outputs (torchvision's `RoIHeads.postprocess_detections`):
 * for every RoI and every object class c (not the background), the box decoded from the class-c deltas
 * and clipped to the image, with the class-c softmax probability as score; candidates scoring at or
 * below the threshold or of (almost) zero size are dropped; NMS per class; the best
 * `detectionsPerImage` are kept.
 *
 * `probabilities: Float32Array [K, C+1]` softmax over background + C classes; `deltas: Float32Array
 * [K, 4(C+1)]` class-specific (t_x, t_y, t_w, t_h), row c·4.. for class c; `rois: Float32Array [K,4]
 * xyxy`; image size in pixels → detections with labels in 1..C.
 */
export function postprocessDetections(probabilities: Float32Array, deltas: Float32Array, rois: Float32Array, numClasses: number, imageWidth: number, imageHeight: number, coder: BoxCoder, options: PostprocessOptions = {}): Detections {
  const scoreThreshold = options.scoreThreshold ?? 0.05;
  const nmsThreshold = options.nmsThreshold ?? 0.5;
  const perImage = options.detectionsPerImage ?? 100;
  const minSize = options.minSize ?? 1e-2;
  const k = rois.length >> 2;
  const c1 = numClasses + 1;
  // Every (RoI, class ≥ 1) pair: references and deltas [K·C, 4]
  const reference = new Float32Array(4 * k * numClasses);
  const pairDeltas = new Float32Array(4 * k * numClasses);
  for (let r = 0; r < k; r++) {
    for (let c = 1; c < c1; c++) {
      const o = 4 * (r * numClasses + c - 1);
      reference.set(rois.subarray(4 * r, 4 * r + 4), o);
      pairDeltas.set(deltas.subarray(4 * (r * c1 + c), 4 * (r * c1 + c) + 4), o);
    }
  }
  const decoded = clipBoxes(coder.decode(pairDeltas, reference), imageWidth, imageHeight); // [K·C, 4]
  let count = 0;
  const keepPair = new Int32Array(k * numClasses);
  for (let r = 0; r < k; r++) {
    for (let c = 1; c < c1; c++) {
      const q = r * numClasses + c - 1;
      const w = decoded[4 * q + 2] - decoded[4 * q], h = decoded[4 * q + 3] - decoded[4 * q + 1];
      if (probabilities[r * c1 + c] > scoreThreshold && w >= minSize && h >= minSize) keepPair[count++] = q;
    }
  }
  const candidates = topCandidatesPerClass(keepPair.subarray(0, count), probabilities, numClasses, options.candidatesPerClass);
  count = candidates.length;
  const boxes = new Float32Array(4 * count), scores = new Float32Array(count), labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const q = candidates[i], r = Math.floor(q / numClasses), c = (q % numClasses) + 1;
    boxes.set(decoded.subarray(4 * q, 4 * q + 4), 4 * i);
    scores[i] = probabilities[r * c1 + c];
    labels[i] = c;
  }
  return classwiseNms(boxes, scores, labels, nmsThreshold, perImage);
}

/**
 * The candidates `pairs` (indices r·C + c − 1 of (RoI r, class c) pairs) limited to the `perClass`
 * best-scoring of each class (ties: the lower index first), in their original order; all of them when
 * `perClass` is undefined or not smaller than any class's count.
 */
function topCandidatesPerClass(pairs: Int32Array, probabilities: Float32Array, numClasses: number, perClass: number | undefined): Int32Array {
  if (perClass === undefined || pairs.length <= perClass) return pairs;
  const c1 = numClasses + 1;
  const score = (q: number) => probabilities[Math.floor(q / numClasses) * c1 + (q % numClasses) + 1];
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (const q of pairs) byClass[q % numClasses].push(q);
  const kept: number[] = [];
  for (const list of byClass) {
    if (list.length > perClass) list.sort((a, b) => score(b) - score(a) || a - b);
    for (let i = 0; i < Math.min(perClass, list.length); i++) kept.push(list[i]);
  }
  return Int32Array.from(kept.sort((a, b) => a - b));
}

/**
 * Per-class NMS of candidate detections, then the `maxDetections` best by decreasing score, as
 * {@link Detections}: `boxes Float32Array [N,4]` xyxy, `scores [N]`, `labels Int32Array [N]`.
 */
export function classwiseNms(boxes: Float32Array, scores: Float32Array, labels: Int32Array, iouThreshold: number, maxDetections: number): Detections {
  const kept = batchedNms(boxes, scores, labels, iouThreshold).subarray(0, maxDetections);
  const out: Detections = { boxes: new Float32Array(4 * kept.length), labels: new Int32Array(kept.length), scores: new Float32Array(kept.length) };
  kept.forEach((i, o) => {
    out.boxes.set(boxes.subarray(4 * i, 4 * i + 4), 4 * o);
    out.labels[o] = labels[i];
    out.scores[o] = scores[i];
  });
  return out;
}
