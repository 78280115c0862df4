import * as tf from '@tensorflow/tfjs';
import { seededInitializer, type SeedCounter } from '../../engine/initializers.js';
import { DetsegInputError } from '../../util/errors.js';
import { convBlock } from '../unet/blocks.js';
import { aspp, asppRates, atrousConvBnRelu } from './aspp.js';

/** Options of {@link buildDeepLab}. */
export interface DeepLabOptions {
  /** Input channels. */
  inChannels?: number;
  /** Output channels: classes (softmax), or 1 for a binary mask (sigmoid). */
  outChannels?: number;
  /** Channels of the first backbone stage, doubled at every stage (4 stages: w, 2w, 4w, 8w). */
  baseWidth?: number;
  /** Channels of every ASPP branch and of the decoder. */
  asppChannels?: number;
  /** Channels the stride-4 low-level features are reduced to before the decoder concatenates them. */
  lowLevelChannels?: number;
  /** ASPP rates (the first is the 1×1 branch); default {@link asppRates} of `trainSize / 8`. */
  rates?: number[];
  /** Image side the default rates are scaled for (default 128). */
  trainSize?: number;
  /** Batch norm after every convolution. */
  batchNorm?: boolean;
  /** Seed of the weight initialisation. */
  seed?: number;
  /** Input height and width (null: any size divisible by 8). */
  inputSize?: [number, number] | null;
}

/** The output stride of {@link buildDeepLab}: its ASPP runs on features at 1/8 of the input size. */
export const DEEPLAB_OUTPUT_STRIDE = 8;

/**
 * DeepLabv3+ (Chen et al. 2018), scaled down to train from scratch here:
 *
 * - backbone: conv blocks (two 3×3 conv + ReLU, `src/models/unet/blocks.ts`) of w, 2w, 4w, 8w
 *   channels with a 2×2 max-pool between them, so the last is at stride 8, followed by two 3×3
 *   convolutions with dilation 2 (the dilated last stage that keeps the stride at 8 while the field
 *   of view grows);
 * - atrous spatial pyramid pooling (`aspp.ts`): 1×1, three dilated 3×3 (rates scaled to the feature
 *   size, {@link asppRates}) and image-level pooling, fused by a 1×1 conv;
 * - decoder: the ASPP output up-sampled ×2 (bilinear) to stride 4, concatenated with the stride-4
 *   backbone features reduced by a 1×1 conv, two 3×3 convs, a 1×1 classifier, and bilinear ×4 up-sampling.
 *
 * Input `[B, H, W, inChannels]` (H, W divisible by 8) → logits `[B, H, W, outChannels]`.
 */
export function buildDeepLab(options: DeepLabOptions = {}): tf.LayersModel {
  const inChannels = options.inChannels ?? 1;
  const outChannels = options.outChannels ?? 1;
  const base = options.baseWidth ?? 8;
  const asppChannels = options.asppChannels ?? 32;
  const lowLevel = options.lowLevelChannels ?? 8;
  const batchNorm = options.batchNorm ?? false;
  const trainSize = options.trainSize ?? 128;
  const rates = options.rates ?? asppRates(trainSize / DEEPLAB_OUTPUT_STRIDE);
  const seeds: SeedCounter = { seed: options.seed ?? 0, next: 0 };
  const [h, w] = options.inputSize ?? [null, null];
  for (const [field, v] of [['baseWidth', base], ['asppChannels', asppChannels], ['lowLevelChannels', lowLevel], ['outChannels', outChannels], ['inChannels', inChannels]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new DetsegInputError(`must be an integer ≥ 1, got ${v}`, { field: `buildDeepLab: ${field}` });
  }
  if (h !== null && (h % DEEPLAB_OUTPUT_STRIDE !== 0 || (w as number) % DEEPLAB_OUTPUT_STRIDE !== 0)) {
    throw new DetsegInputError(`must be divisible by ${DEEPLAB_OUTPUT_STRIDE}, got ${h}×${w}`, { field: 'buildDeepLab: inputSize' });
  }

  const input = tf.input({ shape: [h, w, inChannels], name: 'image' }); // [B, H, W, Cin]
  const pool = (x: tf.SymbolicTensor, name: string) => tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name }).apply(x) as tf.SymbolicTensor;
  let x = convBlock(input, base, 'stage0', batchNorm, seeds); // [B, H, W, w]
  x = convBlock(pool(x, 'stage0_pool'), 2 * base, 'stage1', batchNorm, seeds); // [B, H/2, W/2, 2w]
  const lowLevelFeatures = convBlock(pool(x, 'stage1_pool'), 4 * base, 'stage2', batchNorm, seeds); // [B, H/4, W/4, 4w]
  x = convBlock(pool(lowLevelFeatures, 'stage2_pool'), 8 * base, 'stage3', batchNorm, seeds); // [B, H/8, W/8, 8w]
  x = atrousConvBnRelu(x, 8 * base, 3, 2, 'stage4_conv1', batchNorm, seeds);
  x = atrousConvBnRelu(x, 8 * base, 3, 2, 'stage4_conv2', batchNorm, seeds); // [B, H/8, W/8, 8w]

  x = aspp(x, asppChannels, rates, 'aspp', batchNorm, seeds); // [B, H/8, W/8, a]
  x = tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: 'decoder_up2' }).apply(x) as tf.SymbolicTensor; // [B, H/4, W/4, a]
  const reduced = atrousConvBnRelu(lowLevelFeatures, lowLevel, 1, 1, 'decoder_low', batchNorm, seeds); // [B, H/4, W/4, l]
  x = tf.layers.concatenate({ axis: -1, name: 'decoder_concat' }).apply([x, reduced]) as tf.SymbolicTensor;
  x = atrousConvBnRelu(x, asppChannels, 3, 1, 'decoder_conv1', batchNorm, seeds);
  x = atrousConvBnRelu(x, asppChannels, 3, 1, 'decoder_conv2', batchNorm, seeds); // [B, H/4, W/4, a]
  x = tf.layers.conv2d({ filters: outChannels, kernelSize: 1, name: 'classifier', kernelInitializer: seededInitializer(seeds) }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.upSampling2d({ size: [4, 4], interpolation: 'bilinear', name: 'decoder_up4' }).apply(x) as tf.SymbolicTensor; // [B, H, W, K]
  return tf.model({ inputs: input, outputs: logits, name: 'deeplab' });
}
