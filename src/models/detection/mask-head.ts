import * as tf from '@tensorflow/tfjs';
import { seededInitializer, type SeedCounter } from '../../engine/initializers.js';

/** Options of {@link buildMaskHead}. */
export interface MaskHeadOptions {
  /** Side of the pooled RoI features (14 for Mask R-CNN); the masks are twice this (28). */
  poolSize: number;
  /** Channels of the pooled features. */
  inChannels: number;
  /** Object classes C: one mask per class. */
  numClasses: number;
  /** Width of the convolutions (default 32; torchvision 256). */
  width?: number;
  /** 3×3 convolutions before the up-sampling (default 2; torchvision 4). */
  convs?: number;
  seed?: number;
}

/**
 * The mask head of Mask R-CNN (torchvision's `MaskRCNNHeads` + `MaskRCNNPredictor`, narrower): a few
 * 3×3 convolutions with ReLU on the pooled RoI features, a 2×2 stride-2 transposed convolution with
 * ReLU, and a 1×1 convolution giving one mask logit map per class.
 * `[K, p, p, inChannels]` → logits `[K, 2p, 2p, C]`.
 */
export function buildMaskHead(options: MaskHeadOptions): tf.LayersModel {
  const seeds: SeedCounter = { seed: options.seed ?? 0, next: 0 };
  const width = options.width ?? 32;
  const p = options.poolSize;
  const input = tf.input({ shape: [p, p, options.inChannels], name: 'mask_rois' }); // [K, p, p, C]
  let x: tf.SymbolicTensor = input;
  for (let k = 0; k < (options.convs ?? 2); k++) {
    x = tf.layers.conv2d({ filters: width, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: seededInitializer(seeds), name: `mask_fcn${k + 1}` }).apply(x) as tf.SymbolicTensor; // [K, p, p, width]
  }
  x = tf.layers.conv2dTranspose({ filters: width, kernelSize: 2, strides: 2, activation: 'relu', kernelInitializer: seededInitializer(seeds), name: 'mask_conv5' }).apply(x) as tf.SymbolicTensor; // [K, 2p, 2p, width]
  const logits = tf.layers.conv2d({ filters: options.numClasses, kernelSize: 1, kernelInitializer: seededInitializer(seeds), name: 'mask_logits' }).apply(x) as tf.SymbolicTensor; // [K, 2p, 2p, C]
  return tf.model({ inputs: input, outputs: logits, name: 'mask_head' });
}
