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

/**
 * Two 3×3 'same' convolutions, each followed by (optional) batch norm and ReLU.
 * `[B, H, W, C]` → `[B, H, W, filters]`; layers are named `<name>_conv1`, `<name>_bn1`, ….
 */
export function convBlock(x: tf.SymbolicTensor, filters: number, name: string, batchNorm: boolean, seeds: SeedCounter): tf.SymbolicTensor {
  let y = x;
  for (const k of [1, 2]) {
    y = tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: !batchNorm,
        activation: batchNorm ? 'linear' : 'relu',
        kernelInitializer: seededInitializer(seeds),
        name: `${name}_conv${k}`,
      })
      .apply(y) as tf.SymbolicTensor;
    if (batchNorm) {
      y = tf.layers.batchNormalization({ axis: -1, name: `${name}_bn${k}` }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.reLU({ name: `${name}_relu${k}` }).apply(y) as tf.SymbolicTensor;
    }
  }
  return y;
}
