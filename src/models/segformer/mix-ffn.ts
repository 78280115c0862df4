import * as tf from '@tensorflow/tfjs';
import { nextSeed, seededInitializer, type SeedCounter } from '../../engine/initializers.js';
import { DepthwiseConv3x3 } from './depthwise-conv-layer.js';

/**
 * Mix-FFN of SegFormer: a position-wise linear layer to `ratio`·C channels, a 3×3 depthwise
 * convolution (which leaks position information between neighbours, so the encoder needs no positional
 * encoding), GELU, and a linear layer back to C. The linear layers are 1×1 convolutions.
 * `[B, H, W, C]` → `[B, H, W, C]`; layers `<name>_fc1`, `<name>_dw`, `<name>_gelu`, `<name>_fc2`.
 */
export function mixFfn(x: tf.SymbolicTensor, channels: number, ratio: number, name: string, seeds: SeedCounter): tf.SymbolicTensor {
  let y = tf.layers.conv2d({ filters: channels * ratio, kernelSize: 1, name: `${name}_fc1`, kernelInitializer: seededInitializer(seeds) }).apply(x) as tf.SymbolicTensor;
  y = new DepthwiseConv3x3(nextSeed(seeds), `${name}_dw`).apply(y) as tf.SymbolicTensor;
  y = tf.layers.activation({ activation: 'gelu', name: `${name}_gelu` }).apply(y) as tf.SymbolicTensor;
  return tf.layers.conv2d({ filters: channels, kernelSize: 1, name: `${name}_fc2`, kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed(seeds) }) }).apply(y) as tf.SymbolicTensor;
}
