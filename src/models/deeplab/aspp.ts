import * as tf from '@tensorflow/tfjs';
import { seededInitializer, type SeedCounter } from '../../engine/initializers.js';
import { DetsegInputError } from '../../util/errors.js';
import { AtrousConv2D } from './atrous-conv-layer.js';
import { ImagePooling } from './image-pooling.js';

/** The ASPP rates of DeepLabv3 (output stride 16 on 513-pixel crops: a 33×33 feature map). */
export const DEEPLAB_RATES: readonly number[] = [1, 6, 12, 18];
const DEEPLAB_FEATURE_SIZE = 33;

/**
 * DeepLab's rates 1, 6, 12, 18 scaled from its 33×33 feature map to a `featureSize`-wide one: each
 * rate r > 1 becomes max(1, round(r · featureSize / 33)), so that every branch covers the same fraction
 * of the map as in the paper (e.g. a 128-pixel crop at output stride 8, 16×16 features: 1, 3, 6, 9).
 * Returns the 4 rates, the first always 1 (the 1×1 branch).
 */
export function asppRates(featureSize: number): number[] {
  if (!(featureSize >= 1)) throw new DetsegInputError(`must be ≥ 1, got ${featureSize}`, { field: 'asppRates: featureSize' });
  return DEEPLAB_RATES.map((r) => (r === 1 ? 1 : Math.max(1, Math.round((r * featureSize) / DEEPLAB_FEATURE_SIZE))));
}

/**
 * `[B, H, W, C]` → a k×k 'same' convolution with dilation `rate`, then batch norm (optional) and ReLU.
 * Layers `<name>` (and `<name>_bn`).
 */
export function atrousConvBnRelu(x: tf.SymbolicTensor, filters: number, kernelSize: number, rate: number, name: string, batchNorm: boolean, seeds: SeedCounter): tf.SymbolicTensor {
  let y = new AtrousConv2D({ filters, kernelSize, rate, useBias: !batchNorm, relu: !batchNorm, kernelInitializer: seededInitializer(seeds), name }).apply(x) as tf.SymbolicTensor;
  if (batchNorm) {
    y = tf.layers.batchNormalization({ axis: -1, name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.reLU({ name: `${name}_relu` }).apply(y) as tf.SymbolicTensor;
  }
  return y;
}

/**
 * Atrous spatial pyramid pooling (Chen et al., DeepLabv3): parallel branches on the same feature map —
 * a 1×1 convolution, 3×3 convolutions with dilation `rates[1..]`, and image-level pooling — each with
 * `filters` channels, concatenated and fused by a 1×1 convolution (+ batch norm, ReLU).
 * `[B, h, w, C]` → `[B, h, w, filters]`; layers `<name>_b0` … `<name>_pool`, `<name>_project`.
 */
export function aspp(x: tf.SymbolicTensor, filters: number, rates: readonly number[], name: string, batchNorm: boolean, seeds: SeedCounter): tf.SymbolicTensor {
  if (rates.length < 1 || rates.some((r) => !Number.isInteger(r) || r < 1)) throw new DetsegInputError(`must be integers ≥ 1, got [${rates.join(', ')}]`, { field: 'aspp: rates' });
  const branches = rates.map((r, i) => atrousConvBnRelu(x, filters, i === 0 ? 1 : 3, r, `${name}_b${i}`, batchNorm, seeds));
  branches.push(new ImagePooling(filters, seededInitializer(seeds), `${name}_pool`).apply(x) as tf.SymbolicTensor);
  const merged = tf.layers.concatenate({ axis: -1, name: `${name}_concat` }).apply(branches) as tf.SymbolicTensor; // [B, h, w, (R+1)·filters]
  return atrousConvBnRelu(merged, filters, 1, 1, `${name}_project`, batchNorm, seeds);
}
