import * as tf from '@tensorflow/tfjs';
import { seededInitializer, type SeedCounter } from '../../engine/initializers.js';
import { convBlock } from './blocks.js';

/** Options of {@link buildUNet}. Defaults give the ~480k-parameter U-Net of the benchmark. */
export interface UNetOptions {
  /** Input channels (1 for MRI). */
  inChannels?: number;
  /** Output channels: 1 for binary masks (sigmoid), K for K-class softmax. */
  outChannels?: number;
  /** Number of 2×2 max-pool steps; the bottleneck has `baseWidth · 2^depth` channels. */
  depth?: number;
  /** Channels of the first conv block; doubled at every level. */
  baseWidth?: number;
  /** Batch normalisation after every 3×3 conv (before the ReLU). */
  batchNorm?: boolean;
  /** Seed of the weight initialisation. */
  seed?: number;
  /** Input height and width (null: any size divisible by 2^depth). */
  inputSize?: [number, number] | null;
}

/**
 * U-Net (Ronneberger, Fischer & Brox 2015) with 'same' padding: an encoder of conv blocks (two 3×3
 * conv + ReLU, optional batch norm) each followed by a 2×2 max-pool, a bottleneck block, and a decoder
 * of 2×2 stride-2 transposed convs whose output is concatenated with the encoder block of the same
 * resolution (skip connection) and passed through a conv block; a 1×1 conv gives the logits.
 *
 * Input `[B, H, W, inChannels]` (H, W divisible by 2^depth) → logits `[B, H, W, outChannels]`.
 * With depth 3, width 16, 1 → 1 channels it has 481,745 parameters (blocks 16-32-64-128).
 */
export function buildUNet(options: UNetOptions = {}): tf.LayersModel {
  const inChannels = options.inChannels ?? 1;
  const outChannels = options.outChannels ?? 1;
  const depth = options.depth ?? 3;
  const baseWidth = options.baseWidth ?? 16;
  const batchNorm = options.batchNorm ?? false;
  const seeds: SeedCounter = { seed: options.seed ?? 0, next: 0 };
  const [h, w] = options.inputSize ?? [null, null];
  if (depth < 0 || !Number.isInteger(depth)) throw new RangeError(`buildUNet: depth must be a non-negative integer, got ${depth}`);

  const input = tf.input({ shape: [h, w, inChannels], name: 'image' }); // [B, H, W, Cin]
  const skips: tf.SymbolicTensor[] = [];
  let x: tf.SymbolicTensor = input;
  for (let level = 0; level < depth; level++) {
    x = convBlock(x, baseWidth << level, `enc${level}`, batchNorm, seeds); // [B, H/2^l, W/2^l, w·2^l]
    skips.push(x);
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `enc${level}_pool` }).apply(x) as tf.SymbolicTensor;
  }
  x = convBlock(x, baseWidth << depth, 'bottleneck', batchNorm, seeds); // [B, H/2^d, W/2^d, w·2^d]
  for (let level = depth - 1; level >= 0; level--) {
    const width = baseWidth << level;
    const up = tf.layers
      .conv2dTranspose({ filters: width, kernelSize: 2, strides: 2, padding: 'same', name: `dec${level}_up`, kernelInitializer: seededInitializer(seeds) })
      .apply(x) as tf.SymbolicTensor; // [B, H/2^l, W/2^l, w·2^l]
    x = tf.layers.concatenate({ axis: -1, name: `dec${level}_concat` }).apply([skips[level], up]) as tf.SymbolicTensor; // [B, ., ., 2w·2^l]
    x = convBlock(x, width, `dec${level}`, batchNorm, seeds);
  }
  const logits = tf.layers
    .conv2d({ filters: outChannels, kernelSize: 1, name: 'logits', kernelInitializer: seededInitializer(seeds) })
    .apply(x) as tf.SymbolicTensor; // [B, H, W, Cout]
  return tf.model({ inputs: input, outputs: logits, name: 'unet' });
}
