import * as tf from '@tensorflow/tfjs';
import { seededInitializer, type SeedCounter } from '../../engine/initializers.js';
import { LayerNorm } from './layer-norm-layer.js';

/**
 * Overlapping patch embedding of SegFormer: a k×k convolution with stride s < k ('same' padding, so
 * neighbouring patches share pixels and the map keeps local continuity, unlike ViT's disjoint patches)
 * to `dim` channels, then a layer norm. The first stage uses k = 7, s = 4; later stages k = 3, s = 2.
 * `[B, H, W, C]` → `[B, H/s, W/s, dim]`; layers `<name>_conv`, `<name>_norm`.
 */
export function overlapPatchEmbed(x: tf.SymbolicTensor, dim: number, kernelSize: number, stride: number, name: string, seeds: SeedCounter): tf.SymbolicTensor {
  const y = tf.layers.conv2d({ filters: dim, kernelSize, strides: stride, padding: 'same', name: `${name}_conv`, kernelInitializer: seededInitializer(seeds) }).apply(x) as tf.SymbolicTensor;
  return new LayerNorm(`${name}_norm`).apply(y) as tf.SymbolicTensor;
}
