import { join } from 'node:path';
import { augmentSample, letterboxSample, type AugmentConfig, type AugmentSample } from '../data/augment.js';
import { decodeImage, type Letterbox } from '../data/images.js';
import type { SampleSource } from '../data/loader.js';
import { segmentationMask } from '../masks/coco-mask.js';
import { imageSeed, syntheticSample } from '../data/synthetic.js';
import type { DetectionTarget } from '../models/detection/types.js';
import { mulberry32 } from '../util/random.js';
import { syntheticOptions, type DetectionData } from './dataset.js';

/**
 * Detector inputs made from a {@link DetectionData} on demand: image i is decoded (or generated),
 * augmented when training (flip, scale jitter, crop — seeded by the run seed, the epoch and i, so a
 * resumed run sees the same pixels), letterboxed to `imgsz`², and paired with its target (labels
 * 1..C, instance masks when asked). Crowd and VOC-difficult objects are left out of training targets.
 */

/** One prepared image. */
export interface PreparedSample {
  /** Index in the dataset. */
  index: number;
  /** `Uint8Array [S, S, 3]` letterboxed RGB. */
  image: Uint8Array;
  /** Boxes in letterboxed pixels, labels 1..C, masks `Uint8Array [S, S]` when asked. */
  target: DetectionTarget;
  /** The mapping from the original image (to map detections back). */
  letterbox: Letterbox;
}

/** Options of {@link preparedSource}. */
export interface PrepareOptions {
  /** Letterboxed side (a multiple of the detector's stride). */
  imgsz: number;
  /** Rasterise instance masks into the targets. */
  masks?: boolean;
  /** Training augmentation (absent: none). */
  augment?: AugmentConfig;
  /** Seed of the augmentation (default 0). */
  seed?: number;
}

/** The training augmentation: flip ½, zoom in by up to 1.5× and crop back to the image size. */
export const DEFAULT_AUGMENT: AugmentConfig = { flipProbability: 0.5, scaleRange: [1, 1.5] };

/** The augmentation of one-object images: flips only (a crop could cut the one object out). */
export const FLIP_AUGMENT: AugmentConfig = { flipProbability: 0.5, scaleRange: [1, 1] };

/** The original image i of `data` with its trainable objects (and masks when asked). */
export async function originalSample(data: DetectionData, index: number, masks: boolean): Promise<AugmentSample> {
  const im = data.dataset.images[index];
  if (data.synthetic) {
    const s = syntheticSample(data.synthetic.seed, index, syntheticOptions(data.synthetic));
    return { image: { data: s.image, width: s.width, height: s.height }, boxes: s.boxes, labels: s.labels, masks: masks ? s.masks : undefined };
  }
  const image = await decodeImage(join(data.imagesDir!, im.file));
  const keep: number[] = [];
  for (let j = 0; j < im.labels.length; j++) if (!im.iscrowd[j] && !im.difficult[j]) keep.push(j);
  const boxes = new Float32Array(4 * keep.length);
  keep.forEach((j, k) => boxes.set(im.boxes.subarray(4 * j, 4 * j + 4), 4 * k));
  const sample: AugmentSample = { image, boxes, labels: Int32Array.from(keep, (j) => im.labels[j]) };
  if (masks) {
    sample.masks = keep.map((j) => {
      const seg = im.segmentations?.[j];
      if (seg === undefined) return boxMask(im.boxes.subarray(4 * j, 4 * j + 4), image.width, image.height);
      return segmentationMask(seg, image.width, image.height, `${im.file}: objects[${j}].segmentation`);
    });
  }
  return sample;
}

/** A filled box as a mask `Uint8Array [H, W]` (objects without a segmentation). */
function boxMask(box: Float32Array, width: number, height: number): Uint8Array {
  const m = new Uint8Array(width * height);
  const x1 = Math.max(0, Math.floor(box[0])), y1 = Math.max(0, Math.floor(box[1]));
  const x2 = Math.min(width, Math.ceil(box[2])), y2 = Math.min(height, Math.ceil(box[3]));
  for (let y = y1; y < y2; y++) m.fill(1, y * width + x1, y * width + x2);
  return m;
}

/** Letterboxes (and, with `augment`, augments) sample i of `data` into a {@link PreparedSample}. */
export async function prepareSample(data: DetectionData, index: number, epoch: number, options: PrepareOptions): Promise<PreparedSample> {
  let sample = await originalSample(data, index, options.masks ?? false);
  if (options.augment) sample = augmentSample(sample, mulberry32(imageSeed(imageSeed(options.seed ?? 0, epoch), index)), options.augment);
  const { sample: boxed, letterbox } = letterboxSample(sample, options.imgsz);
  return { index, image: boxed.image.data, target: { boxes: boxed.boxes, labels: boxed.labels.map((l) => l + 1), masks: boxed.masks }, letterbox };
}

/** Every image of `data` as a source of {@link PreparedSample}s (for `loaderBatches`). */
export function preparedSource(data: DetectionData, options: PrepareOptions): SampleSource<PreparedSample> {
  return { length: data.dataset.images.length, get: (index, epoch) => prepareSample(data, index, epoch, options) };
}
