import * as tf from '@tensorflow/tfjs';
import { roiAlignOp } from '../../engine/roi-ops.js';
import { roiAlign } from '../../roi/align.js';
import type { RoiBuffers } from '../../roi/buffers.js';
import type { Backbone } from '../backbone/backbone.js';
import { sigmoidCrossEntropyPerElement } from '../losses.js';
import { buildMaskHead } from './mask-head.js';
import { pasteMask } from './mask-paste.js';
import { maskTargets } from './mask-targets.js';
import { toRois } from './roi-heads.js';
import type { RoiTargets } from './roi-targets.js';
import type { DetectionTarget, Detections } from './types.js';

/** Options of {@link MaskBranch}. */
export interface MaskBranchOptions {
  /** Side of the RoI Align output of the mask branch (default 14; masks are 2× this, 28). */
  maskPoolSize?: number;
  /** Width of the mask head's convolutions (default 32). */
  maskHeadWidth?: number;
  /** Probability at which a pasted mask pixel is on (default 0.5). */
  maskThreshold?: number;
  /**
   * Backbone stages (0-based, each finer than the feature map) whose outputs the mask branch also pools
   * by RoI Align and concatenates to the feature map's channels (default none). The shipped model uses
   * `[1]`, the stride-4 stage: the role FPN's P2 level plays for small RoIs in torchvision's Mask R-CNN,
   * here concatenated rather than chosen by RoI size, so every mask sees edges at 4-pixel resolution.
   */
  maskFeatureStages?: number[];
}

/**
 * The mask branch of Mask R-CNN (He, Gkioxari, Dollár, Girshick 2017). While training, the positive
 * sampled RoIs of the box branch are pooled by RoI Align 14×14, the mask head predicts 28×28 logits per
 * class, and `loss_mask` is the per-pixel sigmoid cross-entropy of the true class's map against the
 * ground-truth mask resampled into the RoI ({@link maskTargets}). At inference the detected boxes are
 * pooled, the mask of the detected class goes through a sigmoid and is pasted into the image
 * ({@link pasteMask}).
 */
export class MaskBranch {
  readonly head: tf.LayersModel;
  readonly poolSize: number;
  readonly threshold: number;
  /** Backbone stages pooled beside the feature map (stage s has stride 2^(s+1)). */
  readonly featureStages: readonly number[];
  /** The backbone with outputs `[features, …the featureStages' outputs]` (the backbone's layers, shared). */
  private readonly featureModel: tf.LayersModel;

  constructor(readonly backbone: Backbone, readonly numClasses: number, options: MaskBranchOptions, seed: number) {
    this.poolSize = options.maskPoolSize ?? 14;
    this.threshold = options.maskThreshold ?? 0.5;
    this.featureStages = options.maskFeatureStages ?? [];
    const stageOutputs = backbone.stages.outputs; // stage s: [B, H/2^(s+1), W/2^(s+1), widths[s]]
    for (const stage of this.featureStages) {
      if (!Number.isInteger(stage) || stage < 0 || stage >= stageOutputs.length - 1) throw new RangeError(`MaskRCNN: maskFeatureStages entry ${stage} is not a backbone stage finer than the feature map (0..${stageOutputs.length - 2})`);
    }
    this.featureModel = tf.model({ inputs: backbone.model.inputs, outputs: [backbone.model.outputs[0], ...this.featureStages.map((stage) => stageOutputs[stage])], name: 'mask_features' });
    const inChannels = backbone.channels + this.featureStages.reduce((sum, stage) => sum + (stageOutputs[stage].shape[3] as number), 0);
    this.head = buildMaskHead({ poolSize: this.poolSize, inChannels, numClasses, width: options.maskHeadWidth, seed: seed + 3 });
  }

  /** The feature map `[B, h, w, C]` and the finer stages (one `[B, H/s, W/s, C_s]` each) of `images`. */
  features(images: tf.Tensor4D, training: boolean): { features: tf.Tensor4D; fine: tf.Tensor4D[] } {
    if (this.featureStages.length === 0) return { features: this.backbone.model.apply(images, { training }) as tf.Tensor4D, fine: [] };
    const [features, ...fine] = this.featureModel.apply(images, { training }) as tf.Tensor4D[];
    return { features, fine };
  }

  /**
   * RoI Align (sampling ratio 2, aligned) on the feature map and each finer stage, concatenated along
   * channels → `[ΣK_b, p, p, C + ΣC_s]`.
   */
  pool(features: tf.Tensor4D, fine: tf.Tensor4D[], boxesPerImage: Float32Array[]): tf.Tensor4D {
    const rois = toRois(boxesPerImage);
    const align = (map: tf.Tensor4D, stride: number) => roiAlignOp(map, rois, { outHeight: this.poolSize, outWidth: this.poolSize, spatialScale: 1 / stride, samplingRatio: 2, aligned: true });
    const pooled = align(features, this.backbone.stride); // [K, p, p, C]
    if (fine.length === 0) return pooled;
    return tf.concat([pooled, ...fine.map((map, i) => align(map, 2 ** (this.featureStages[i] + 1)))], 3); // [K, p, p, C + ΣC_s]
  }

  /** `loss_mask` over the positive RoIs of `samples` (the box branch's), for `width × height` images. */
  loss(features: tf.Tensor4D, fine: tf.Tensor4D[], samples: RoiTargets[], targets: DetectionTarget[], width: number, height: number): tf.Scalar {
    const positiveBoxes = samples.map((s) => s.boxes.subarray(0, 4 * s.numPositive));
    const count = positiveBoxes.reduce((s, b) => s + (b.length >> 2), 0);
    if (count === 0) return tf.scalar(0);
    const m = 2 * this.poolSize;
    const c = this.numClasses;
    const targetMasks = new Float32Array(count * m * m); // [P, M, M]
    const classMask = new Float32Array(count * c); // [P, C] one-hot of the class
    let offset = 0;
    samples.forEach((s, b) => {
      const t = targets[b];
      if (!t.masks) throw new Error(`MaskRCNN.forwardTrain: target ${b} has no masks`);
      targetMasks.set(maskTargets(t.masks, width, height, positiveBoxes[b], s.matchedGt.subarray(0, s.numPositive), m), offset * m * m);
      for (let i = 0; i < s.numPositive; i++) classMask[(offset + i) * c + s.labels[i] - 1] = 1;
      offset += s.numPositive;
    });
    const logits = this.head.apply(this.pool(features, fine, positiveBoxes), { training: true }) as tf.Tensor4D; // [P, M, M, C]
    const y = tf.tensor4d(targetMasks, [count, m, m, 1]);
    const bce = sigmoidCrossEntropyPerElement(logits, y); // [P, M, M, C]
    return tf.div(tf.sum(tf.mul(bce, tf.tensor4d(classMask, [count, 1, 1, c]))), count * m * m) as tf.Scalar;
  }

  /** `detections` with their `masks` (`Uint8Array [H, W]` per detection) for `width × height` images. */
  paste(features: tf.Tensor4D, fine: tf.Tensor4D[], detections: Detections[], width: number, height: number): Detections[] {
    if (detections.every((d) => d.labels.length === 0)) return detections.map((d) => ({ ...d, masks: [] }));
    const m = 2 * this.poolSize;
    const probabilities = tf.tidy(() => tf.sigmoid(this.head.apply(this.pool(features, fine, detections.map((d) => d.boxes)), { training: false }) as tf.Tensor4D).dataSync() as Float32Array); // [K, M, M, C]
    return this.pasteFrom(probabilities, detections, width, height);
  }

  /**
   * {@link pool} on typed arrays (the same kernels): the feature map and the finer stages, each
   * `{data Float32Array [B, h, w, C], shape}`, over the boxes per image → `Float32Array [ΣK_b, p, p, C + ΣC_s]`.
   * With `buffers`, the pooled maps and the result lie on their slots `'mask<i>'` and `'mask'`
   * (overwritten by the next call with the same buffers).
   */
  poolArrays(features: { data: Float32Array; shape: readonly number[] }, fine: Array<{ data: Float32Array; shape: readonly number[] }>, boxesPerImage: Float32Array[], buffers?: RoiBuffers): Float32Array {
    const rois = toRois(boxesPerImage);
    const k = rois.length / 5, p = this.poolSize;
    const maps = [{ ...features, stride: this.backbone.stride }, ...fine.map((m, i) => ({ ...m, stride: 2 ** (this.featureStages[i] + 1) }))];
    const single = maps.length === 1;
    const pooled = maps.map((m, i) => roiAlign(m.data, m.shape, rois, { outHeight: p, outWidth: p, spatialScale: 1 / m.stride, samplingRatio: 2, aligned: true }, buffers?.float32(single ? 'mask' : `mask${i}`, k * p * p * m.shape[3])));
    if (single) return pooled[0];
    const channels = maps.map((m) => m.shape[3]);
    const total = channels.reduce((s, c) => s + c, 0);
    const out = buffers ? buffers.float32('mask', k * p * p * total) : new Float32Array(k * p * p * total); // channels concatenated in map order
    for (let q = 0; q < k * p * p; q++) {
      let o = q * total;
      for (let i = 0; i < pooled.length; i++) {
        const c = channels[i], values = pooled[i];
        for (let j = 0, from = q * c; j < c; j++) out[o + j] = values[from + j];
        o += c;
      }
    }
    return out;
  }

  /**
   * The pasting of {@link paste} on the mask head's probabilities as a typed array (either runtime's):
   * `probabilities Float32Array [ΣK_b, M, M, C]` (sigmoid), one row per detection in order → `detections`
   * with their masks.
   */
  pasteFrom(probabilities: Float32Array, detections: Detections[], width: number, height: number): Detections[] {
    const m = 2 * this.poolSize;
    const c = this.numClasses;
    const mask = new Float32Array(m * m);
    let k = 0;
    return detections.map((d) => {
      const masks: Uint8Array[] = [];
      for (let j = 0; j < d.labels.length; j++, k++) {
        for (let q = 0; q < m * m; q++) mask[q] = probabilities[(k * m * m + q) * c + d.labels[j] - 1];
        masks.push(pasteMask(mask, m, d.boxes.subarray(4 * j, 4 * j + 4), width, height, this.threshold));
      }
      return { ...d, masks };
    });
  }
}
