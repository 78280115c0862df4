import { mulberry32, shuffleInPlace } from '../../util/random.js';
import { flipDetectionSample, imagesToTensor, syntheticDetectionSet, type DetectionSample } from './synthetic-data.js';
import type { DetectionBatch } from './train-loop.js';

/**
 * The training and evaluation data of the R-CNN family on the synthetic-shapes benchmark: a training
 * set of `trainImages` images of seed `trainSeed`, a held-out set of `valImages` images of another
 * seed, both 128×128 with 1–8 shapes of 3 classes.
 */
export interface SyntheticRecipe {
  /** Image side in pixels (default 128). */
  imageSize: number;
  /** Seed and size of the training set (defaults 1 and 4000). */
  trainSeed: number;
  trainImages: number;
  /** Seed and size of the held-out set (defaults 2 and 200). */
  valSeed: number;
  valImages: number;
  /** Images per step (default 2). */
  batchSize: number;
  /** Random left–right flips (default true). */
  flip: boolean;
  /** Seed of the batch order and flips (default 0). */
  seed: number;
}

/** Defaults of {@link SyntheticRecipe}. */
export const DEFAULT_SYNTHETIC_RECIPE: SyntheticRecipe = { imageSize: 128, trainSeed: 1, trainImages: 4000, valSeed: 2, valImages: 200, batchSize: 2, flip: true, seed: 0 };

/**
 * The batch of each step: step s takes training images (s·B + b) mod N in a fixed shuffled order
 * (seeded), each flipped with probability ½ (seeded by step and position), generated on the fly
 * (every synthetic image is a pure function of its seed and index). With `proposals`, each batch also
 * carries the external proposals of its (flipped) images, e.g. selective search for Fast R-CNN / R-CNN.
 */
export function syntheticBatches(recipe: SyntheticRecipe, proposals?: (image: Uint8Array, width: number, height: number) => Float32Array): (step: number) => DetectionBatch {
  const order = shuffleInPlace(Array.from({ length: recipe.trainImages }, (_, i) => i), mulberry32(recipe.seed ^ 0x5eed));
  return (step) => {
    const random = mulberry32((Math.imul(recipe.seed + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca77)) >>> 0);
    const samples: DetectionSample[] = [];
    for (let b = 0; b < recipe.batchSize; b++) {
      const index = order[(step * recipe.batchSize + b) % order.length];
      let s = syntheticDetectionSet(recipe.trainSeed, 1, { size: recipe.imageSize }, index)[0];
      if (recipe.flip && random() < 0.5) s = flipDetectionSample(s);
      samples.push(s);
    }
    const images = imagesToTensor(samples.map((s) => s.sample.image), recipe.imageSize, recipe.imageSize);
    const targets = samples.map((s) => s.target);
    return proposals ? { images, targets, proposals: samples.map((s) => proposals(s.sample.image, s.sample.width, s.sample.height)) } : { images, targets };
  };
}

/** The held-out images of a recipe. */
export function heldOutSet(recipe: SyntheticRecipe): DetectionSample[] {
  return syntheticDetectionSet(recipe.valSeed, recipe.valImages, { size: recipe.imageSize });
}
