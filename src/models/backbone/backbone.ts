import * as tf from '@tensorflow/tfjs';
import { seededInitializer, type SeedCounter } from '../../engine/initializers.js';

/** Options of {@link buildBackbone}. Defaults give the stride-8, 64-channel backbone of the R-CNN family. */
export interface BackboneOptions {
  /** Input channels (3 for RGB). */
  inChannels?: number;
  /**
   * Channels of each stage (default [16, 32, 64]). Stage s opens with a 3×3 stride-2 convolution, so
   * the output stride is 2^stages (8 by default).
   */
  widths?: readonly number[];
  /** 3×3 stride-1 convolutions after the opening one of each stage (default 1). */
  extraConvsPerStage?: number;
  /** Batch normalisation after every convolution, before the ReLU (default true). */
  batchNorm?: boolean;
  /** Momentum of the batch-norm moving statistics (default 0.9: short runs need them to settle fast). */
  batchNormMomentum?: number;
  /** Seed of the weight initialisation (He normal). */
  seed?: number;
  /** Layer-name prefix (default 'backbone'), so that several backbones can live in one checkpoint. */
  name?: string;
  /**
   * Channels of a top-down merge (default 0: none). When > 0 and there are ≥ 2 stages, the output is
   * one FPN level at twice the resolution of the last stage: a 1×1 lateral convolution of the
   * second-to-last stage, plus the last stage brought up by a learned 2×2 stride-2 transposed
   * convolution, then a 3×3 convolution (FPN's smoothing), all without activation. The output stride
   * halves (4 instead of 8 by default) while the receptive field stays that of the deepest stage.
   */
  topDownChannels?: number;
}

/** A backbone and what a detector needs to know of it. */
export interface Backbone {
  /** `[B, H, W, inChannels]` → features `[B, H/stride, W/stride, channels]` ('same' padding; H, W divisible by 2^stages). */
  model: tf.LayersModel;
  /** Image pixels per feature-map cell: 2^stages, or 2^(stages−1) with a top-down merge. */
  stride: number;
  /** Channels of the feature map (the last width, or `topDownChannels`). */
  channels: number;
  /**
   * The same layers with every stage's output as an output: `[B, H, W, inChannels]` →
   * `[[B, H/2, W/2, widths[0]], [B, H/4, W/4, widths[1]], …]`, stage s at stride 2^(s+1). Its weights are
   * the model's (not saved apart); Mask R-CNN pools its mask RoIs from finer stages through it.
   */
  stages: tf.LayersModel;
}

/**
 * The small convolutional backbone shared by R-CNN, Fast R-CNN, Faster R-CNN and Mask R-CNN here: a
 * stack of stages, each a 3×3 stride-2 convolution followed by `extraConvsPerStage` 3×3 stride-1
 * convolutions, every one followed by batch norm (optional) and ReLU. With the defaults a 128×128 RGB
 * image becomes a 16×16×64 feature map (stride 8); a cell sees 43×43 px (59×59 through the RPN's 3×3
 * convolution), and the whole has 72,752 parameters: small enough to train from scratch in minutes on
 * two CPU cores.
 */
export function buildBackbone(options: BackboneOptions = {}): Backbone {
  const widths = options.widths ?? [16, 32, 64];
  const extra = options.extraConvsPerStage ?? 1;
  const batchNorm = options.batchNorm ?? true;
  const momentum = options.batchNormMomentum ?? 0.9;
  const prefix = options.name ?? 'backbone';
  const seeds: SeedCounter = { seed: options.seed ?? 0, next: 0 };
  if (widths.length === 0) throw new RangeError('buildBackbone: needs at least one stage');
  const input = tf.input({ shape: [null, null, options.inChannels ?? 3], name: `${prefix}_image` }); // [B, H, W, Cin]
  let x: tf.SymbolicTensor = input;
  const stageOutputs: tf.SymbolicTensor[] = [];
  widths.forEach((filters, stage) => {
    for (let k = 0; k <= extra; k++) {
      const name = `${prefix}_s${stage}_conv${k}`;
      x = tf.layers
        .conv2d({ filters, kernelSize: 3, strides: k === 0 ? 2 : 1, padding: 'same', useBias: !batchNorm, kernelInitializer: seededInitializer(seeds), name })
        .apply(x) as tf.SymbolicTensor; // [B, H/2^(s+1), W/2^(s+1), filters]
      if (batchNorm) x = tf.layers.batchNormalization({ axis: -1, momentum, name: `${name}_bn` }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.reLU({ name: `${name}_relu` }).apply(x) as tf.SymbolicTensor;
    }
    stageOutputs.push(x);
  });
  const stages = tf.model({ inputs: input, outputs: stageOutputs, name: `${prefix}_stages` });
  const topDown = options.topDownChannels ?? 0;
  if (topDown > 0 && widths.length >= 2) {
    const conv = (filters: number, kernelSize: number, name: string) =>
      tf.layers.conv2d({ filters, kernelSize, padding: 'same', kernelInitializer: seededInitializer(seeds), name: `${prefix}_td_${name}` });
    const lateral = conv(topDown, 1, 'lateral').apply(stageOutputs[widths.length - 2]) as tf.SymbolicTensor; // [B, H/2^(S−1), W/2^(S−1), D]
    const up = tf.layers
      .conv2dTranspose({ filters: topDown, kernelSize: 2, strides: 2, padding: 'valid', kernelInitializer: seededInitializer(seeds), name: `${prefix}_td_up` })
      .apply(x) as tf.SymbolicTensor; // [B, H/2^(S−1), W/2^(S−1), D]
    const merged = tf.layers.add({ name: `${prefix}_td_add` }).apply([lateral, up]) as tf.SymbolicTensor;
    const smooth = conv(topDown, 3, 'smooth').apply(merged) as tf.SymbolicTensor; // [B, H/2^(S−1), W/2^(S−1), D]
    const model = tf.model({ inputs: input, outputs: smooth, name: prefix });
    return { model, stride: 1 << (widths.length - 1), channels: topDown, stages };
  }
  const model = tf.model({ inputs: input, outputs: x, name: prefix });
  return { model, stride: 1 << widths.length, channels: widths[widths.length - 1], stages };
}
