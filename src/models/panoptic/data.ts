import * as tf from '@tensorflow/tfjs';
import { SYNTHETIC_PANOPTIC_CATEGORIES, syntheticPanopticSample, type SyntheticPanopticSample } from '../../data/synthetic-panoptic.js';
import { flipDetectionSample, imagesToTensor, type DetectionSample } from '../detection/synthetic-data.js';
import type { DetectionBatch } from '../detection/train-loop.js';
import { mulberry32, shuffleInPlace } from '../../util/random.js';

/**
 * The panoptic model's data: the synthetic panoptic images (`src/data/synthetic-panoptic.ts`) as
 * detector samples (the things, over their stuff background) and as semantic maps (every category).
 */

/** Which synthetic panoptic images train and which are held out (the detection benchmark's seeds). */
export interface PanopticRecipe {
  /** Image side in pixels. */
  imageSize: number;
  trainSeed: number;
  trainImages: number;
  valSeed: number;
  valImages: number;
}

/** Training seed 1 (4000 images), held-out seed 2 (200 images), 128² images. */
export const DEFAULT_PANOPTIC_RECIPE: PanopticRecipe = { imageSize: 128, trainSeed: 1, trainImages: 4000, valSeed: 2, valImages: 200 };

/**
 * Channels of the semantic head: channel c is category id c (1..3 things, 4..6 stuff); channel 0 is
 * void, which the synthetic data never uses but panoptic PNGs reserve.
 */
export const SEMANTIC_CHANNELS = 1 + Math.max(...SYNTHETIC_PANOPTIC_CATEGORIES.map((c) => c.id));

/** A panoptic sample as a detector sample: its image (things over stuff), boxes, labels 1..3 and masks. */
export function panopticDetectionSample(s: SyntheticPanopticSample): DetectionSample {
  return { sample: s, target: { boxes: s.boxes, labels: s.labels.map((l) => l + 1), masks: s.masks } };
}

/**
 * Batches for fine-tuning a detector on the panoptic images: step s takes training images
 * (s·B + b) mod N in a fixed shuffled order (seeded by `seed`), each flipped left–right with
 * probability ½ — the detection recipe's batches with the stuff backgrounds.
 */
export function panopticInstanceBatches(recipe: PanopticRecipe, batchSize: number, seed: number): (step: number) => DetectionBatch {
  const order = shuffleInPlace(Array.from({ length: recipe.trainImages }, (_, i) => i), mulberry32(seed ^ 0x5eed));
  return (step) => {
    const random = mulberry32((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca77)) >>> 0);
    const samples: DetectionSample[] = [];
    for (let b = 0; b < batchSize; b++) {
      const index = order[(step * batchSize + b) % order.length];
      let s = panopticDetectionSample(syntheticPanopticSample(recipe.trainSeed, index, { size: recipe.imageSize }));
      if (random() < 0.5) s = flipDetectionSample(s);
      samples.push(s);
    }
    return { images: imagesToTensor(samples.map((s) => s.sample.image), recipe.imageSize, recipe.imageSize), targets: samples.map((s) => s.target) };
  };
}

/**
 * A semantic training batch of panoptic images `indices` of set `seed`: images `x [B, S, S, 3]` in
 * [−1, 1] (as the detectors') and one-hot category maps `y [B, S, S, SEMANTIC_CHANNELS]`; each image is
 * flipped left–right when `random() < ½`.
 */
export function semanticBatch(seed: number, indices: number[], size: number, random: () => number): { x: tf.Tensor4D; y: tf.Tensor4D } {
  const k = SEMANTIC_CHANNELS;
  const x = new Float32Array(indices.length * size * size * 3);
  const y = new Float32Array(indices.length * size * size * k);
  indices.forEach((index, b) => {
    const s = syntheticPanopticSample(seed, index, { size });
    const flip = random() < 0.5;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const src = r * size + (flip ? size - 1 - c : c);
        const dst = b * size * size + r * size + c;
        for (let ch = 0; ch < 3; ch++) x[3 * dst + ch] = (s.image[3 * src + ch] - 127.5) / 127.5;
        y[k * dst + s.categoryMap[src]] = 1;
      }
    }
  });
  return { x: tf.tensor4d(x, [indices.length, size, size, 3]), y: tf.tensor4d(y, [indices.length, size, size, k]) };
}
