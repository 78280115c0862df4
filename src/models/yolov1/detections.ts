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
