import * as tf from '@tensorflow/tfjs';

/** A running counter of initialiser seeds, so that every layer of a model gets its own, reproducibly. */
export interface SeedCounter {
  seed: number;
  next: number;
}

/**
 * A seed as tfjs initialisers need it: tfjs reads a seed of 0 as "no seed" (and draws from
 * `Math.random`), so 0 is mapped to another fixed value; every other seed is kept.
 */
export function tfjsSeed(seed: number): number {
  return seed === 0 ? 0x9e3779b9 : seed;
}

/** The next initialiser seed of `seeds` (never 0, see {@link tfjsSeed}). */
export function nextSeed(seeds: SeedCounter): number {
  return tfjsSeed((seeds.seed * 1000 + seeds.next++) >>> 0);
}

/** He-normal initialiser (for ReLU nets) with the next seed of `seeds`. */
export function seededInitializer(seeds: SeedCounter): ReturnType<typeof tf.initializers.heNormal> {
  return tf.initializers.heNormal({ seed: nextSeed(seeds) });
}
