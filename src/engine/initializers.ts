import * as tf from '@tensorflow/tfjs';

/** A running counter of initialiser seeds, so that every layer of a model gets its own, reproducibly. */
export interface SeedCounter {
  seed: number;
  next: number;
}

/** He-normal initialiser (for ReLU nets) with the next seed of `seeds`. */
export function seededInitializer(seeds: SeedCounter): ReturnType<typeof tf.initializers.heNormal> {
  const seed = (seeds.seed * 1000 + seeds.next++) >>> 0;
  return tf.initializers.heNormal({ seed });
}
