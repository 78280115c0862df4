import { join } from 'node:path';
import { mulberry32, shuffleInPlace } from '../util/random.js';
import { DetsegInputError } from '../util/errors.js';
import { segmentationMask } from '../masks/coco-mask.js';
import { augmentSample, type AugmentConfig, type AugmentSample } from './augment.js';
import type { DetectionDataset } from './dataset.js';
import { decodeImage, normalizeImage, type RgbImage } from './images.js';
import { imageSeed, syntheticSample, type SyntheticOptions } from './synthetic.js';

/**
 * Datasets for training without holding the data in memory: a {@link SampleSource} makes sample `i`
 * on demand (decoding an image file, or generating a synthetic image), and {@link loaderBatches}
 * walks a seeded shuffle of the indices, fetching one batch (plus `prefetch` batches ahead) at a time.
 */

/** Sample `index` of a dataset, made on demand. `epoch` lets random augmentations differ per epoch. */
export interface SampleSource<T> {
  readonly length: number;
  get(index: number, epoch: number): Promise<T> | T;
}

/** Options of {@link loaderBatches}. */
export interface LoaderOptions {
  batchSize: number;
  /** Shuffle the indices each epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0). Epoch e uses its own permutation, the same on every run. */
  seed?: number;
  /** Leave out the last, smaller batch (default false). */
  dropLast?: boolean;
  /** Batches fetched ahead while the current one is used (default 1). */
  prefetch?: number;
}

/**
 * The index order of `epoch`: a Fisher–Yates shuffle of 0..n−1 driven by `mulberry32` seeded from
 * (`seed`, `epoch`), or 0..n−1 when `shuffle` is false. `Int32Array [n]`.
 */
export function epochOrder(n: number, seed: number, epoch: number, shuffle = true): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (!shuffle) return order;
  return shuffleInPlace(order, mulberry32(imageSeed(seed, epoch)));
}

/** Number of batches per epoch. */
export function batchCount(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * Yields the batches of one epoch (arrays of samples, in the shuffled order). Samples are made only
 * when their batch is about to be used: at most `(1 + prefetch) · batchSize` are alive at a time.
 */
export async function* loaderBatches<T>(source: SampleSource<T>, epoch: number, options: LoaderOptions): AsyncGenerator<T[]> {
  const { batchSize } = options;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`loaderBatches: batchSize must be a positive integer, got ${batchSize}`);
  const order = epochOrder(source.length, options.seed ?? 0, epoch, options.shuffle ?? true);
  const batches = batchCount(source.length, batchSize, options.dropLast);
  const fetch = (b: number) => Promise.all(Array.from(order.subarray(b * batchSize, Math.min((b + 1) * batchSize, order.length)), (i) => source.get(i, epoch)));
  const ahead = Math.max(0, options.prefetch ?? 1);
  const pending: Promise<T[]>[] = [];
  let next = 0;
  while (next < batches && pending.length <= ahead) pending.push(fetch(next++));
  while (pending.length > 0) {
    const batch = await pending.shift()!;
    if (next < batches) pending.push(fetch(next++));
    yield batch;
  }
}

/** The synthetic-shapes set as a source: sample i is generated on demand (see `synthetic.ts`). */
export function syntheticSource(count: number, seed: number, options: SyntheticOptions = {}): SampleSource<AugmentSample> {
  return {
    length: count,
    get(index) {
      const s = syntheticSample(seed, index, options);
      return { image: { data: s.image, width: s.width, height: s.height }, boxes: s.boxes, labels: s.labels, masks: s.masks, semantic: s.semantic };
    },
  };
}

/**
 * A dataset read from annotation files as a source: sample i decodes `imagesDir/<file>` when asked and
 * pairs it with its boxes and labels (crowd and difficult objects are left out of training samples).
 * With `masks`, every kept object must have a segmentation, rasterized to an instance mask.
 */
export function datasetSource(dataset: DetectionDataset, imagesDir: string, options: { masks?: boolean } = {}): SampleSource<AugmentSample> {
  return {
    length: dataset.images.length,
    async get(index) {
      const im = dataset.images[index];
      const image = await decodeImage(join(imagesDir, im.file));
      const keep: number[] = [];
      for (let j = 0; j < im.labels.length; j++) if (!im.iscrowd[j] && !im.difficult[j]) keep.push(j);
      const boxes = new Float32Array(4 * keep.length);
      keep.forEach((j, k) => boxes.set(im.boxes.subarray(4 * j, 4 * j + 4), 4 * k));
      const sample: AugmentSample = { image, boxes, labels: Int32Array.from(keep, (j) => im.labels[j]) };
      if (options.masks) {
        sample.masks = keep.map((j) => {
          const seg = im.segmentations?.[j];
          if (seg === undefined) throw new DetsegInputError(`object ${j} has no segmentation (masks were asked for)`, { file: im.file, field: 'segmentation' });
          return segmentationMask(seg, image.width, image.height, `${im.file}: objects[${j}].segmentation`);
        });
      }
      return sample;
    },
  };
}

/**
 * Applies {@link augmentSample} to every sample, with a random source seeded from (`seed`, epoch,
 * index): deterministic, different each epoch, independent of the batch order.
 */
export function augmentedSource(source: SampleSource<AugmentSample>, seed: number, config: AugmentConfig = {}): SampleSource<AugmentSample> {
  return {
    length: source.length,
    async get(index, epoch) {
      const sample = await source.get(index, epoch);
      return augmentSample(sample, mulberry32(imageSeed(imageSeed(seed, epoch), index)), config);
    },
  };
}

/**
 * Stacks same-size images into one `Float32Array [B, H, W, 3]` of `(pixel/255 − mean)/std` (the
 * engine turns it into a tensor).
 */
export function stackImages(images: RgbImage[], mean: ArrayLike<number> = [0, 0, 0], std: ArrayLike<number> = [1, 1, 1]): Float32Array {
  if (images.length === 0) return new Float32Array(0);
  const { width: w, height: h } = images[0];
  const plane = w * h * 3;
  const out = new Float32Array(images.length * plane); // [B, H, W, 3]
  images.forEach((img, i) => {
    if (img.width !== w || img.height !== h) throw new RangeError(`stackImages: image ${i} is ${img.width}×${img.height}, expected ${w}×${h}`);
    out.set(normalizeImage(img, mean, std), i * plane);
  });
  return out;
}
