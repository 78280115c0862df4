import { clipBoxes } from '../../boxes/formats.js';
import { classwiseNms } from '../detection/postprocess.js';
import type { Detections } from '../detection/types.js';
import { yoloBox, yoloCellChannels, type YoloGrid } from './output.js';

/** Options of {@link yoloDetections}. */
export interface YoloDetectionOptions {
  /** Class-specific confidences p(c)·C at or below this are dropped (default 0.05). */
  scoreThreshold?: number;
  /** IoU threshold of the per-class NMS (default 0.5). */
  nmsThreshold?: number;
  /** Detections kept per image, best first (default 100). */
  detectionsPerImage?: number;
  /** Boxes narrower or lower than this many pixels (after clipping) are dropped (default 1e-2). */
  minSize?: number;
}

/**
 * YOLOv1's inference for one image: every predictor's box (clipped to the image) with, for every class,
 * the class-specific confidence p(c | object)·C; those above the threshold go through NMS per class and
 * the best are kept.
 *
 * `output`: the image's activated outputs `Float32Array [S,S,5B+C]` → detections with labels in 1..C,
 * by decreasing score.
 */
export function yoloDetections(output: ArrayLike<number>, grid: YoloGrid, width: number, height: number, options: YoloDetectionOptions = {}): Detections {
  const { s, b, c } = grid;
  const channels = yoloCellChannels(grid);
  const threshold = options.scoreThreshold ?? 0.05;
  const minSize = options.minSize ?? 1e-2;
  const boxes: number[] = [], scores: number[] = [], labels: number[] = [];
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < s; j++) {
      const o = (i * s + j) * channels;
      for (let k = 0; k < b; k++) {
        const box = clipBoxes(Float32Array.from(yoloBox(output, o, k, i, j, s, width, height)), width, height);
        if (box[2] - box[0] < minSize || box[3] - box[1] < minSize) continue;
        for (let cls = 0; cls < c; cls++) {
          const score = output[o + 5 * b + cls] * output[o + 5 * k + 4];
          if (score <= threshold) continue;
          boxes.push(...box);
          scores.push(score);
          labels.push(cls + 1);
        }
      }
    }
  }
  const all = Float32Array.from(boxes), allScores = Float32Array.from(scores), allLabels = Int32Array.from(labels);
  return classwiseNms(all, allScores, allLabels, options.nmsThreshold ?? 0.5, options.detectionsPerImage ?? 100);
}

/** Every predictor of a YOLOv1 output, before any threshold (see {@link yoloPredictors}). */
export interface YoloPredictors {
  /** `Float32Array [S·S·B, 4] xyxy` in pixels (not clipped), row (i·S + j)·B + k for predictor k of cell (i, j). */
  boxes: Float32Array;
  /** `Float32Array [S·S·B]`: each predictor's confidence C. */
  confidence: Float32Array;
  /** `Float32Array [S·S, C]`: each cell's class probabilities p(c | object). */
  classes: Float32Array;
}

/**
 * The S·S·B boxes of one image's output with their confidences and each cell's class probabilities,
 * decoded as {@link yoloDetections} decodes them, before the class-specific threshold and NMS (what the
 * lecture's "B boxes per cell" picture shows).
 *
 * `output`: the image's activated outputs `Float32Array [S,S,5B+C]` of a `width × height` image.
 */
export function yoloPredictors(output: ArrayLike<number>, grid: YoloGrid, width: number, height: number): YoloPredictors {
  const { s, b, c } = grid;
  const channels = yoloCellChannels(grid);
  const out: YoloPredictors = { boxes: new Float32Array(4 * s * s * b), confidence: new Float32Array(s * s * b), classes: new Float32Array(s * s * c) };
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < s; j++) {
      const cell = i * s + j, o = cell * channels;
      for (let k = 0; k < b; k++) {
        out.boxes.set(yoloBox(output, o, k, i, j, s, width, height), 4 * (cell * b + k));
        out.confidence[cell * b + k] = output[o + 5 * k + 4];
      }
      for (let q = 0; q < c; q++) out.classes[cell * c + q] = output[o + 5 * b + q];
    }
  }
  return out;
}
