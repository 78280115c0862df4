import { resizeNearest } from '../data/resize.js';
import type { Letterbox } from '../data/images.js';
import type { DetectorFamily, Detector } from '../models/detection/detector.js';
import { imagesToTensor } from '../models/detection/images-tensor.js';
import { selectiveSearchProposals } from '../models/detection/selective-search-proposals.js';
import type { Detections } from '../models/detection/types.js';
import { batchedNms } from '../nms/batched.js';
import { OnnxDetector } from '../onnx/detector.js';
import type { PreparedSample } from './samples.js';

/**
 * Inference on prepared (letterboxed) images and the way back to the original pixels: boxes
 * un-letterboxed and clipped, masks cut out of the padding and resized to the original size, a
 * confidence threshold and an optional stricter class-wise NMS.
 */

/** Detections of letterboxed `samples` (`imgsz`² each), selective-search proposals for the families that need them. */
export function detectPrepared(model: Detector, family: DetectorFamily, samples: PreparedSample[], imgsz: number): Detections[] {
  const images = imagesToTensor(samples.map((s) => s.image), imgsz, imgsz); // [B, S, S, 3]
  try {
    const proposals = family.needsProposals ? samples.map((s) => selectiveSearchProposals(s.image, imgsz, imgsz)) : undefined;
    return model.predict(images, proposals);
  } finally {
    images.dispose();
  }
}

/** The letterboxed images of `samples` as one normalised `Float32Array [B, S, S, 3]` (as `imagesToTensor`). */
function normalisedImages(samples: PreparedSample[], imgsz: number): Float32Array {
  const data = new Float32Array(samples.length * imgsz * imgsz * 3);
  samples.forEach((s, b) => {
    const o = b * imgsz * imgsz * 3;
    for (let i = 0; i < s.image.length; i++) data[o + i] = (s.image[i] - 127.5) / 127.5;
  });
  return data;
}

/**
 * {@link detectPrepared} on either runtime: a TF.js {@link Detector} or a detector on ONNX Runtime
 * ({@link OnnxDetector}), with the same proposals and post-processing.
 */
export async function detectPreparedWith(model: Detector | OnnxDetector, family: DetectorFamily, samples: PreparedSample[], imgsz: number): Promise<Detections[]> {
  if (!(model instanceof OnnxDetector)) return detectPrepared(model, family, samples, imgsz);
  if (imgsz !== model.imgsz) throw new Error(`the ONNX model takes ${model.imgsz}² images, got ${imgsz}`);
  const proposals = family.needsProposals ? samples.map((s) => selectiveSearchProposals(s.image, imgsz, imgsz)) : undefined;
  return model.predict(normalisedImages(samples, imgsz), samples.length, proposals);
}

/** Options of {@link toOriginal}. */
export interface PostprocessSettings {
  /** Keep detections scoring at least this (default 0). */
  conf?: number;
  /** Class-wise NMS at this IoU on top of the model's own (default none). */
  iou?: number;
}

/**
 * Maps detections `d` of a letterboxed image back to the `width × height` original: boxes
 * un-letterboxed and clipped, masks (if any) cropped out of the padding and resized by nearest
 * neighbour to `Uint8Array [height, width]`; detections below `conf` dropped; an optional stricter NMS.
 */
export function toOriginal(d: Detections, lb: Letterbox, width: number, height: number, imgsz: number, settings: PostprocessSettings = {}): Detections {
  const conf = settings.conf ?? 0;
  let keep: number[] = [];
  for (let j = 0; j < d.labels.length; j++) if (d.scores[j] >= conf) keep.push(j);
  if (settings.iou !== undefined && keep.length > 1) {
    const boxes = new Float32Array(4 * keep.length);
    keep.forEach((j, k) => boxes.set(d.boxes.subarray(4 * j, 4 * j + 4), 4 * k));
    const kept = batchedNms(boxes, keep.map((j) => d.scores[j]), keep.map((j) => d.labels[j]), settings.iou);
    keep = Array.from(kept).sort((a, b) => a - b).map((k) => keep[k]);
  }
  const boxes = new Float32Array(4 * keep.length);
  keep.forEach((j, k) => {
    const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
    boxes[4 * k] = clip((d.boxes[4 * j] - lb.padX) / lb.scaleX, width);
    boxes[4 * k + 1] = clip((d.boxes[4 * j + 1] - lb.padY) / lb.scaleY, height);
    boxes[4 * k + 2] = clip((d.boxes[4 * j + 2] - lb.padX) / lb.scaleX, width);
    boxes[4 * k + 3] = clip((d.boxes[4 * j + 3] - lb.padY) / lb.scaleY, height);
  });
  const out: Detections = { boxes, labels: Int32Array.from(keep, (j) => d.labels[j]), scores: Float32Array.from(keep, (j) => d.scores[j]) };
  if (d.masks) {
    const w = Math.round(width * lb.scaleX), h = Math.round(height * lb.scaleY);
    out.masks = keep.map((j) => {
      const inner = new Uint8Array(w * h); // [h, w] the image part of the letterboxed mask
      const m = d.masks![j];
      for (let y = 0; y < h; y++) inner.set(m.subarray((y + lb.padY) * imgsz + lb.padX, (y + lb.padY) * imgsz + lb.padX + w), y * w);
      return resizeNearest(inner, w, h, 1, width, height);
    });
  }
  return out;
}
