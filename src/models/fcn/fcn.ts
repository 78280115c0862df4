import * as tf from '@tensorflow/tfjs';
import { seededInitializer, type SeedCounter } from '../../engine/initializers.js';
import { convBlock } from '../unet/blocks.js';

/** Options of {@link buildFCN}. */
export interface FCNOptions {
  /** Input channels. */
  inChannels?: number;
  /** Output channels (classes; 1 for a binary mask with sigmoid). */
  outChannels?: number;
  /** Backbone stages, each a conv block and a 2×2 max-pool: the coarsest scores are at stride 2^stages. */
  stages?: number;
  /** Channels of the first stage, doubled at every stage (capped at 8× the base). */
  baseWidth?: number;
  /** FCN-16s-style skip: fuse the scores of the stride-2^(stages−1) features before the last up-sampling. */
  skip?: boolean;
  /** Batch norm in the backbone. */
  batchNorm?: boolean;
  /** Seed of the weight initialisation. */
  seed?: number;
  /** Input height and width (null: any size divisible by 2^stages). */
  inputSize?: [number, number] | null;
}

/**
 * Bilinear up-sampling kernel of a transposed convolution that enlarges by `factor`:
 * `Float32Array [2·factor, 2·factor, channels, channels]`, each channel mapped onto itself with the
 * separable weights (1 − |i − c| / factor)(1 − |j − c| / factor), c = factor − 0.5 (Long et al. 2015).
 */
export function bilinearUpsamplingKernel(factor: number, channels: number): Float32Array {
  const k = 2 * factor;
  const centre = factor - 0.5;
  const out = new Float32Array(k * k * channels * channels);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = (1 - Math.abs(i - centre) / factor) * (1 - Math.abs(j - centre) / factor);
      for (let c = 0; c < channels; c++) out[((i * k + j) * channels + c) * channels + c] = w;
    }
  }
  return out;
}

/**
 * A fully convolutional network in the style of FCN-32s / FCN-16s (Long, Shelhamer & Darrell 2015),
 * scaled down: a backbone of conv blocks and 2×2 max-pools, a 1×1 conv scoring every class at stride
 * 2^stages, and transposed-conv up-sampling (initialised bilinear) back to the input size; with `skip`,
 * the coarse scores are up-sampled ×2 (4×4 transposed conv, stride 2) and added to 1×1-conv scores of
 * the previous stage before the final up-sampling (the 16s variant).
 *
 * Input `[B, H, W, inChannels]` → logits `[B, H, W, outChannels]`.
 */
export function buildFCN(options: FCNOptions = {}): tf.LayersModel {
  const inChannels = options.inChannels ?? 1;
  const outChannels = options.outChannels ?? 1;
  const stages = options.stages ?? 4;
  const baseWidth = options.baseWidth ?? 16;
  const skip = options.skip ?? true;
  const seeds: SeedCounter = { seed: options.seed ?? 0, next: 0 };
  const [h, w] = options.inputSize ?? [null, null];
  if (stages < 1 || !Number.isInteger(stages)) throw new RangeError(`buildFCN: stages must be a positive integer, got ${stages}`);
  if (skip && stages < 2) throw new RangeError('buildFCN: the skip needs at least 2 stages');

  const input = tf.input({ shape: [h, w, inChannels], name: 'image' }); // [B, H, W, Cin]
  const pooled: tf.SymbolicTensor[] = [];
  let x: tf.SymbolicTensor = input;
  for (let s = 0; s < stages; s++) {
    x = convBlock(x, baseWidth * Math.min(1 << s, 8), `stage${s}`, options.batchNorm ?? false, seeds);
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `stage${s}_pool` }).apply(x) as tf.SymbolicTensor; // [B, H/2^(s+1), W/2^(s+1), .]
    pooled.push(x);
  }
  const score = (features: tf.SymbolicTensor, name: string) =>
    tf.layers.conv2d({ filters: outChannels, kernelSize: 1, name, kernelInitializer: seededInitializer(seeds) }).apply(features) as tf.SymbolicTensor;
  let scores = score(x, 'score_coarse'); // [B, H/2^S, W/2^S, K]
  let finalFactor = 1 << stages;
  if (skip) {
    const up2 = tf.layers
      .conv2dTranspose({ filters: outChannels, kernelSize: 4, strides: 2, padding: 'same', useBias: false, name: 'upsample2' })
      .apply(scores) as tf.SymbolicTensor; // [B, H/2^(S−1), W/2^(S−1), K]
    const skipScores = score(pooled[stages - 2], 'score_skip');
    scores = tf.layers.add({ name: 'fuse' }).apply([up2, skipScores]) as tf.SymbolicTensor;
    finalFactor >>= 1;
  }
  const logits = tf.layers
    .conv2dTranspose({ filters: outChannels, kernelSize: 2 * finalFactor, strides: finalFactor, padding: 'same', useBias: false, name: 'upsample_final' })
    .apply(scores) as tf.SymbolicTensor; // [B, H, W, K]
  const model = tf.model({ inputs: input, outputs: logits, name: skip ? 'fcn16s' : 'fcn32s' });

  // Bilinear initialisation of the up-sampling layers.
  const ups = skip ? [['upsample2', 2], ['upsample_final', finalFactor]] : [['upsample_final', finalFactor]];
  for (const [name, factor] of ups as Array<[string, number]>) {
    const layer = model.getLayer(name);
    const kernel = tf.tensor4d(bilinearUpsamplingKernel(factor, outChannels), [2 * factor, 2 * factor, outChannels, outChannels]);
    layer.setWeights([kernel]);
    kernel.dispose();
  }
  return model;
}
