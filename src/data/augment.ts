import { letterbox, letterboxBoxes, padSquare, type Letterbox, type RgbImage } from './images.js';
import { resizeBilinear, resizeNearest } from './resize.js';

/**
 * Data augmentations for detection and segmentation: each moves the pixels, the boxes AND the instance
 * masks together. They take a `random` source (`mulberry32` from `src/util/random.ts`), so a pipeline
 * is deterministic given its seed. Inputs are not modified; each returns a new sample.
 */

/** An image with its objects. */
export interface AugmentSample {
  image: RgbImage;
  /** `Float32Array [N,4]` xyxy px. */
  boxes: Float32Array;
  /** `Int32Array [N]` class indices. */
  labels: Int32Array;
  /** Optional N instance masks, each `Uint8Array [H, W]` row-major. */
  masks?: Uint8Array[];
  /** Optional semantic label map `Uint8Array [H, W]`. */
  semantic?: Uint8Array;
}

function flipRows(src: Uint8Array, w: number, h: number, channels: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let y = 0; y < h; y++) {
    const row = y * w * channels;
    for (let x = 0; x < w; x++) {
      const from = row + x * channels, to = row + (w - 1 - x) * channels;
      for (let k = 0; k < channels; k++) out[to + k] = src[from + k];
    }
  }
  return out;
}

/** Mirrors left–right: pixel x goes to W − 1 − x, a box (x1, x2) to (W − x2, W − x1). */
export function horizontalFlip(sample: AugmentSample): AugmentSample {
  const { width: w, height: h } = sample.image;
  const boxes = new Float32Array(sample.boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = w - sample.boxes[i + 2];
    boxes[i + 1] = sample.boxes[i + 1];
    boxes[i + 2] = w - sample.boxes[i];
    boxes[i + 3] = sample.boxes[i + 3];
  }
  return {
    image: { data: flipRows(sample.image.data, w, h, 3), width: w, height: h },
    boxes,
    labels: sample.labels.slice(),
    masks: sample.masks?.map((m) => flipRows(m, w, h, 1)),
    semantic: sample.semantic && flipRows(sample.semantic, w, h, 1),
  };
}

/**
 * Resizes the sample to `width`×`height`: the image bilinearly, masks and the semantic map by nearest
 * neighbour, boxes scaled by `width / W`, `height / H`.
 */
export function resizeSample(sample: AugmentSample, width: number, height: number): AugmentSample {
  const { width: w, height: h } = sample.image;
  const sx = width / w, sy = height / h;
  const boxes = new Float32Array(sample.boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = sample.boxes[i] * sx;
    boxes[i + 1] = sample.boxes[i + 1] * sy;
    boxes[i + 2] = sample.boxes[i + 2] * sx;
    boxes[i + 3] = sample.boxes[i + 3] * sy;
  }
  return {
    image: { data: resizeBilinear(sample.image.data, w, h, 3, width, height), width, height },
    boxes,
    labels: sample.labels.slice(),
    masks: sample.masks?.map((m) => resizeNearest(m, w, h, 1, width, height)),
    semantic: sample.semantic && resizeNearest(sample.semantic, w, h, 1, width, height),
  };
}

/** Scale jitter: resizes by a factor drawn uniformly from `[lo, hi]` (same factor on both axes). */
export function scaleJitter(sample: AugmentSample, random: () => number, lo = 0.75, hi = 1.25): AugmentSample {
  const f = lo + (hi - lo) * random();
  const w = Math.max(1, Math.round(sample.image.width * f));
  const h = Math.max(1, Math.round(sample.image.height * f));
  return resizeSample(sample, w, h);
}

/** Options of {@link cropSample}. */
export interface CropOptions {
  /** A clipped box is dropped when its width or height is below this (px, default 2). */
  minSidePx?: number;
  /** ... or when less than this fraction of its area stays inside the crop (default 0.25). */
  minAreaFraction?: number;
}

/**
 * Crops the window [x0, x0 + width) × [y0, y0 + height) (integers, inside the image). Boxes are shifted
 * and clipped to the window; boxes that become too small (see {@link CropOptions}) are dropped with
 * their labels and masks.
 */
export function cropSample(sample: AugmentSample, x0: number, y0: number, width: number, height: number, options: CropOptions = {}): AugmentSample {
  const { width: w, height: h } = sample.image;
  if (!(Number.isInteger(x0) && Number.isInteger(y0) && x0 >= 0 && y0 >= 0 && x0 + width <= w && y0 + height <= h)) {
    throw new RangeError(`cropSample: window (${x0}, ${y0}, ${width}×${height}) is not inside the ${w}×${h} image`);
  }
  const minSide = options.minSidePx ?? 2;
  const minFraction = options.minAreaFraction ?? 0.25;
  const cropPlane = (src: Uint8Array, channels: number) => {
    const out = new Uint8Array(width * height * channels);
    for (let y = 0; y < height; y++) out.set(src.subarray(((y + y0) * w + x0) * channels, ((y + y0) * w + x0 + width) * channels), y * width * channels);
    return out;
  };
  const kept: number[] = [];
  const boxes: number[] = [];
  const n = sample.labels.length;
  for (let i = 0; i < n; i++) {
    const b = sample.boxes;
    const bx1 = b[4 * i] - x0, by1 = b[4 * i + 1] - y0, bx2 = b[4 * i + 2] - x0, by2 = b[4 * i + 3] - y0;
    const cx1 = Math.min(Math.max(bx1, 0), width), cy1 = Math.min(Math.max(by1, 0), height);
    const cx2 = Math.min(Math.max(bx2, 0), width), cy2 = Math.min(Math.max(by2, 0), height);
    const area = (bx2 - bx1) * (by2 - by1);
    const clippedArea = (cx2 - cx1) * (cy2 - cy1);
    if (cx2 - cx1 < minSide || cy2 - cy1 < minSide || clippedArea < minFraction * area) continue;
    kept.push(i);
    boxes.push(cx1, cy1, cx2, cy2);
  }
  return {
    image: { data: cropPlane(sample.image.data, 3), width, height },
    boxes: Float32Array.from(boxes),
    labels: Int32Array.from(kept, (i) => sample.labels[i]),
    masks: sample.masks && kept.map((i) => cropPlane(sample.masks![i], 1)),
    semantic: sample.semantic && cropPlane(sample.semantic, 1),
  };
}

/** A crop of `width`×`height` (at most the image size) at a uniformly random integer position. */
export function randomCrop(sample: AugmentSample, random: () => number, width: number, height: number, options: CropOptions = {}): AugmentSample {
  const w = Math.min(width, sample.image.width), h = Math.min(height, sample.image.height);
  const x0 = Math.floor(random() * (sample.image.width - w + 1));
  const y0 = Math.floor(random() * (sample.image.height - h + 1));
  return cropSample(sample, x0, y0, w, h, options);
}

/** Settings of {@link augmentSample}. */
export interface AugmentConfig {
  /** Probability of a horizontal flip (default 0.5). */
  flipProbability?: number;
  /** Scale jitter range (default [0.75, 1.25]; [1, 1] turns it off). */
  scaleRange?: [number, number];
  /** Output crop size (default: the input size); the crop never exceeds the jittered image. */
  cropWidth?: number;
  cropHeight?: number;
  crop?: CropOptions;
}

/** The usual training pipeline: flip (with probability), scale jitter, random crop. Deterministic given `random`. */
export function augmentSample(sample: AugmentSample, random: () => number, config: AugmentConfig = {}): AugmentSample {
  let s = random() < (config.flipProbability ?? 0.5) ? horizontalFlip(sample) : sample;
  const [lo, hi] = config.scaleRange ?? [0.75, 1.25];
  if (lo !== 1 || hi !== 1) s = scaleJitter(s, random, lo, hi);
  return randomCrop(s, random, config.cropWidth ?? sample.image.width, config.cropHeight ?? sample.image.height, config.crop);
}

/**
 * Letterboxes a whole sample to `size`×`size` (see `letterbox` in `images.ts`): the image bilinearly
 * with grey padding, masks and the semantic map by nearest neighbour with zero padding, boxes mapped
 * with the same scale and padding. Returns the sample and the mapping (to map detections back).
 */
export function letterboxSample(sample: AugmentSample, size: number, fill = 114): { sample: AugmentSample; letterbox: Letterbox } {
  const lb = letterbox(sample.image, size, fill);
  const { width: W, height: H } = sample.image;
  const w = Math.round(W * lb.scaleX), h = Math.round(H * lb.scaleY);
  const plane = (m: Uint8Array) => padSquare(resizeNearest(m, W, H, 1, w, h), w, h, 1, size, lb.padX, lb.padY, 0);
  return {
    sample: {
      image: lb.image,
      boxes: letterboxBoxes(sample.boxes, lb),
      labels: sample.labels.slice(),
      masks: sample.masks?.map(plane),
      semantic: sample.semantic && plane(sample.semantic),
    },
    letterbox: lb,
  };
}
