import * as tf from '@tensorflow/tfjs';
import { seededInitializer, type SeedCounter } from '../../engine/initializers.js';

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
