import * as tf from '@tensorflow/tfjs';
import { nextSeed, seededInitializer, type SeedCounter } from '../../engine/initializers.js';

/** Options of {@link buildRpnHead}. */
export interface RpnHeadOptions {
  /** Channels of the feature map. */
  inChannels: number;
  /** Anchors per feature-map position (A). */
  anchorsPerLocation: number;
  /** Seed of the initialisation. */
  seed?: number;
}

/**
 * The RPN head alone (torchvision's `RPNHead`): a 3×3 convolution + ReLU shared by all anchors, then two
 * sibling 1×1 convolutions, one giving A objectness logits and one 4A box deltas per position.
 * `features [B, h, w, C]` → `[objectness [B, h, w, A], deltas [B, h, w, 4A]]`; channel 4a + k of the
 * deltas is coordinate k (t_x, t_y, t_w, t_h) of anchor a, so `[B, h, w, 4A]` reshaped to `[B, h·w·A, 4]`
 * lines up with the anchor order of `AnchorGenerator.gridAnchors`. The 1×1 layers start from N(0, 0.01²)
 * and zero bias, as torchvision's.
 */
export function buildRpnHead(options: RpnHeadOptions): tf.LayersModel {
  const seeds: SeedCounter = { seed: options.seed ?? 0, next: 0 };
  const a = options.anchorsPerLocation;
  const input = tf.input({ shape: [null, null, options.inChannels], name: 'rpn_features' }); // [B, h, w, C]
  const hidden = tf.layers
    .conv2d({ filters: options.inChannels, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: seededInitializer(seeds), name: 'rpn_conv' })
    .apply(input) as tf.SymbolicTensor; // [B, h, w, C]
  const small = () => tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: nextSeed(seeds) });
  const objectness = tf.layers.conv2d({ filters: a, kernelSize: 1, kernelInitializer: small(), name: 'rpn_objectness' }).apply(hidden) as tf.SymbolicTensor; // [B, h, w, A]
  const deltas = tf.layers.conv2d({ filters: 4 * a, kernelSize: 1, kernelInitializer: small(), name: 'rpn_deltas' }).apply(hidden) as tf.SymbolicTensor; // [B, h, w, 4A]
  return tf.model({ inputs: input, outputs: [objectness, deltas], name: 'rpn_head' });
}
