import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join, parse } from 'node:path';
import { centreCropOrigin, cropInto } from '../data/crop.js';
import { decodeImage, imageFileNames, type DecodeOptions } from '../data/images.js';
import { SHAPE_CLASSES, syntheticSample, type SyntheticOptions } from '../data/synthetic.js';
import type { Batch } from '../engine/train.js';
import { DetsegInputError } from '../util/errors.js';
import { shuffleInPlace } from '../util/random.js';
import type { SunnybrookData } from '../data/sunnybrook.js';
import type { SegSample } from './unet/dataset.js';
import { lvInputImage } from './unet/lv.js';

/**
 * Multi-class semantic-segmentation data for the models of `segmentation-registry.ts`: images with a
 * class label per pixel (0 = background), from the synthetic shapes, from a binary-mask set (Sunnybrook
 * LV, a `detseg train unet` folder: 2 classes), or from a folder whose masks store the class id as the
 * grey level; and the augmented, one-hot batches that training takes.
 */

/** One image and its label map. */
export interface LabelSample {
  /** Name for messages and output files. */
  name: string;
  height: number;
  width: number;
  /** Channels of `image` (1 grey, 3 RGB). */
  channels: number;
  /** Values in [0, 1]: `Float32Array [H, W, channels]`. */
  image: Float32Array;
  /** Class of every pixel: `Uint8Array [H, W]`, 0 = background. */
  labels: Uint8Array;
  /** Samples of one group (a patient) are held out together; none: a group of its own. */
  group?: string;
  /** The file the labels came from, for messages (a folder's mask). */
  labelFile?: string;
}

/** A labelled set: samples and the class names (index = label). */
export interface LabelDataset {
  samples: LabelSample[];
  classNames: string[];
}

/**
 * Images `0 … count−1` of the synthetic-shapes set `seed` (`src/data/synthetic.ts`): RGB / 255 and the
 * semantic map (background, circle, square, triangle: 4 classes).
 */
export function syntheticLabelDataset(seed: number, count: number, options: SyntheticOptions = {}): LabelDataset {
  const samples: LabelSample[] = [];
  for (let i = 0; i < count; i++) {
    const s = syntheticSample(seed, i, options);
    samples.push({ name: `synthetic-${seed}-${i}`, height: s.height, width: s.width, channels: 3, image: Float32Array.from(s.image, (v) => v / 255), labels: s.semantic });
  }
  return { samples, classNames: ['background', ...SHAPE_CLASSES] };
}

/**
 * The Sunnybrook LV slices as 2 classes (background, LV), the way the LV practical sees them: each slice
 * re-windowed on its centre `crop` ({@link lvInputImage}) and cut to its centre square of side
 * `crop + 2·margin` (room for training shifts of up to `margin` pixels); group = patient. With
 * `margin` 0 the samples are the centre crops that the practical scores (every contour lies inside).
 */
export function sunnybrookLabelDataset(data: SunnybrookData, crop: number, margin: number): LabelDataset {
  const side = crop + 2 * margin;
  const samples = data.slices.map((slice): LabelSample => {
    const [r0, c0] = centreCropOrigin(slice.height, slice.width, side);
    const image = new Float32Array(side * side);
    const mask = new Float32Array(side * side);
    cropInto(lvInputImage(slice, crop), slice.width, r0, c0, side, false, image, 0);
    cropInto(slice.mask, slice.width, r0, c0, side, false, mask, 0);
    return { name: `${slice.patientId}-${slice.imageNumber}`, height: side, width: side, channels: 1, image, labels: Uint8Array.from(mask), group: slice.patientId };
  });
  return { samples, classNames: ['background', 'left ventricle'] };
}

/** Binary-mask samples (`src/models/unet/dataset.ts`: Sunnybrook LV, image/mask folders) as 2 classes. */
export function binaryLabelDataset(samples: SegSample[], foreground = 'foreground'): LabelDataset {
  return {
    samples: samples.map((s) => ({ name: s.name, height: s.height, width: s.width, channels: 1, image: s.image, labels: s.mask, ...(s.group !== undefined ? { group: s.group } : {}) })),
    classNames: ['background', foreground],
  };
}

/**
 * Loads `<dir>/images/<stem>.<ext>` (RGB / 255) with `<dir>/masks/<stem>.<ext>` whose grey level is
 * the class id of the pixel (0 background, 1 … K−1; a palette-free label PNG). The classes are
 * 0 … the largest label found. A missing partner, two files of one stem, a colour mask or a size
 * mismatch raise a {@link DetsegInputError} naming the file.
 */
export async function loadLabelFolder(dir: string, decode: DecodeOptions = {}): Promise<LabelDataset> {
  const imagesDir = join(dir, 'images');
  const masksDir = join(dir, 'masks');
  for (const d of [imagesDir, masksDir]) if (!existsSync(d)) throw new DetsegInputError('folder is missing (expected images/ and masks/ with the same file stems)', { file: d });
  const byStem = (d: string) => {
    const m = new Map<string, string>();
    for (const f of imageFileNames(d)) {
      const stem = parse(f).name;
      if (m.has(stem)) throw new DetsegInputError(`two files share the stem '${stem}'`, { file: join(d, f) });
      m.set(stem, join(d, f));
    }
    return m;
  };
  const images = byStem(imagesDir);
  const masks = byStem(masksDir);
  for (const [stem, f] of masks) if (!images.has(stem)) throw new DetsegInputError(`has no image ${stem}.* in ${imagesDir}`, { file: f });
  const samples: LabelSample[] = [];
  let maxLabel = 0;
  for (const [stem, imageFile] of images) {
    const maskFile = masks.get(stem);
    if (!maskFile) throw new DetsegInputError(`has no mask ${stem}.* in ${masksDir}`, { file: imageFile });
    const img = await decodeImage(imageFile, imageFile, decode);
    const m = await decodeImage(maskFile, maskFile, decode);
    if (m.height !== img.height || m.width !== img.width) throw new DetsegInputError(`mask is ${m.width}×${m.height} but its image is ${img.width}×${img.height}`, { file: maskFile });
    const labels = new Uint8Array(m.width * m.height);
    for (let i = 0; i < labels.length; i++) {
      const r = m.data[3 * i], g = m.data[3 * i + 1], b = m.data[3 * i + 2];
      if (r !== g || g !== b) throw new DetsegInputError(`mask is in colour (pixel ${i % m.width}, ${Math.floor(i / m.width)} is RGB ${r}, ${g}, ${b}): expected the class id as a grey level`, { file: maskFile });
      labels[i] = r;
      if (r > maxLabel) maxLabel = r;
    }
    samples.push({ name: stem, height: img.height, width: img.width, channels: 3, image: Float32Array.from(img.data, (v) => v / 255), labels, labelFile: maskFile });
  }
  if (samples.length === 0) throw new DetsegInputError('holds no images', { file: imagesDir });
  return { samples, classNames: Array.from({ length: maxLabel + 1 }, (_, i) => (i === 0 ? 'background' : `class${i}`)) };
}

/**
 * A folder of black-and-white masks (`loadLabelFolder`, grey level 0 or 255) as 2 classes
 * (background, foreground). `mode` 'auto' converts only when every mask pixel is 0 or 255 and some is
 * 255 (a label map of classes 0 … K−1 is left as it is; `undefined` is returned); 'threshold' always
 * converts, grey level ≥ 128 = foreground (anti-aliased or JPEG masks).
 */
export function binaryMaskLabels(data: LabelDataset, mode: 'auto' | 'threshold'): LabelDataset | undefined {
  if (mode === 'auto') {
    let some255 = false;
    for (const s of data.samples) {
      for (const v of s.labels) {
        if (v !== 0 && v !== 255) return undefined;
        if (v === 255) some255 = true;
      }
    }
    if (!some255) return undefined;
  }
  return {
    samples: data.samples.map((s) => ({ ...s, labels: Uint8Array.from(s.labels, (v) => (v >= 128 ? 1 : 0)) })),
    classNames: ['background', 'foreground'],
  };
}

/**
 * `sample` with `channels` image channels: RGB → grey is the mean of R, G, B (as the binary U-Net
 * read its images), grey → RGB repeats the grey level; the same sample when it already has them.
 */
export function withChannels<T extends Pick<LabelSample, 'image' | 'height' | 'width' | 'channels'>>(sample: T, channels: number): T {
  if (sample.channels === channels) return sample;
  const n = sample.height * sample.width;
  const image = new Float32Array(n * channels);
  if (sample.channels === 3 && channels === 1) {
    // sum of the three 0–1 values over 3, equal to (R + G + B) / (3 · 255) to rounding
    for (let i = 0; i < n; i++) image[i] = (sample.image[3 * i] + sample.image[3 * i + 1] + sample.image[3 * i + 2]) / 3;
  } else if (sample.channels === 1 && channels === 3) {
    for (let i = 0; i < n; i++) image.fill(sample.image[i], 3 * i, 3 * i + 3);
  } else {
    throw new DetsegInputError(`has ${sample.channels} channels; expected 1 or 3 to convert to ${channels}`, { field: 'channels' });
  }
  return { ...sample, image, channels };
}

/** Augmentation and batching of {@link labelBatches}. */
export interface LabelBatchOptions {
  batchSize: number;
  /** Side of the square training crop (a multiple of the model's {@link SegmentationFamily.multiple}). */
  crop: number;
  /** Classes K of the one-hot targets. */
  numClasses: number;
  /** Largest random shift of the crop from the image centre, in pixels (default 0). */
  maxShift?: number;
  /** Random left–right flips (default true). */
  flip?: boolean;
  /** Random gamma: intensities v → v^γ with ln γ uniform in [−gammaJitter, gammaJitter] (default 0: off). */
  gammaJitter?: number;
}

/**
 * The batches of one epoch over `indices` of `samples`, shuffled by `random`, each sample cropped
 * (centre ± a random shift, optionally flipped and gamma-jittered): `x [B, crop, crop, channels]`, `y [B, crop, crop, K]`
 * one-hot. A label ≥ K raises a {@link DetsegInputError} naming the sample.
 */
export function* labelBatches(samples: LabelSample[], indices: number[], options: LabelBatchOptions, random: () => number): Generator<Batch> {
  const order = shuffleInPlace(indices.slice(), random);
  const size = options.crop;
  const k = options.numClasses;
  const maxShift = options.maxShift ?? 0;
  for (let start = 0; start < order.length; start += options.batchSize) {
    const ids = order.slice(start, start + options.batchSize);
    const channels = samples[ids[0]].channels;
    const x = new Float32Array(ids.length * size * size * channels);
    const y = new Float32Array(ids.length * size * size * k);
    ids.forEach((index, b) => {
      const s = samples[index];
      if (s.channels !== channels) throw new DetsegInputError(`has ${s.channels} channels, other images ${channels}`, { field: s.name });
      const [r0, c0] = centreCropOrigin(s.height, s.width, size);
      const shift = (lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round((2 * random() - 1) * maxShift)));
      const row0 = r0 + shift(-r0, s.height - size - r0);
      const col0 = c0 + shift(-c0, s.width - size - c0);
      const flip = (options.flip ?? true) && random() < 0.5;
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          const src = (row0 + r) * s.width + col0 + (flip ? size - 1 - c : c);
          const dst = (b * size + r) * size + c;
          for (let ch = 0; ch < channels; ch++) x[dst * channels + ch] = s.image[src * channels + ch];
          const label = s.labels[src];
          if (label >= k) throw new DetsegInputError(`pixel ${src % s.width}, ${Math.floor(src / s.width)} has label ${label}, not below the ${k} classes`, { field: s.name });
          y[dst * k + label] = 1;
        }
      }
      if ((options.gammaJitter ?? 0) > 0) {
        const gamma = Math.exp((2 * random() - 1) * options.gammaJitter!);
        const n = size * size * channels;
        for (let i = b * n; i < (b + 1) * n; i++) x[i] = Math.pow(x[i], gamma);
      }
    });
    yield { x: tf.tensor4d(x, [ids.length, size, size, channels]), y: tf.tensor4d(y, [ids.length, size, size, k]) };
  }
}
