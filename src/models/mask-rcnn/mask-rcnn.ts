import * as tf from '@tensorflow/tfjs';
import { toRois } from '../detection/roi-heads.js';
import { roiAlignOp } from '../../engine/roi-ops.js';
import { maskTargets } from '../detection/mask-targets.js';
import { pasteMask } from '../detection/mask-paste.js';
import type { DetectionTarget, Detections } from '../detection/types.js';
import { FasterRCNN, type FasterRcnnOptions } from '../faster-rcnn/faster-rcnn.js';
import { sigmoidCrossEntropyPerElement } from '../losses.js';
import { buildMaskHead } from './mask-head.js';

/** Options of {@link MaskRCNN}: Faster R-CNN's, plus the mask branch. */
export interface MaskRcnnOptions extends FasterRcnnOptions {
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
 * Mask R-CNN (He, Gkioxari, Dollár, Girshick 2017): Faster R-CNN plus a mask branch. While training,
 * the positive sampled RoIs of the box branch are pooled by RoI Align 14×14, the mask head predicts
 * 28×28 logits per class, and `loss_mask` is the per-pixel sigmoid cross-entropy of the true class's map
 * against the ground-truth mask resampled into the RoI ({@link maskTargets}). At inference the detected
 * boxes are pooled, the mask of the detected class is passed through a sigmoid and pasted into the
 * image ({@link pasteMask}).
 */
export class MaskRCNN extends FasterRCNN {
  readonly maskHead: tf.LayersModel;
  readonly maskPoolSize: number;
  readonly maskThreshold: number;
  /** Backbone stages pooled beside the feature map by the mask branch (stage s has stride 2^(s+1)). */
  readonly maskFeatureStages: readonly number[];
  /** The backbone with outputs `[features, …the maskFeatureStages' outputs]` (the backbone's layers, shared). */
  private readonly maskFeatureModel: tf.LayersModel;

  constructor(options: MaskRcnnOptions = {}) {
    super(options);
    this.maskPoolSize = options.maskPoolSize ?? 14;
    this.maskThreshold = options.maskThreshold ?? 0.5;
    this.maskFeatureStages = options.maskFeatureStages ?? [];
    const stageOutputs = this.backbone.stages.outputs; // stage s: [B, H/2^(s+1), W/2^(s+1), widths[s]]
    for (const stage of this.maskFeatureStages) {
      if (!Number.isInteger(stage) || stage < 0 || stage >= stageOutputs.length - 1) throw new RangeError(`MaskRCNN: maskFeatureStages entry ${stage} is not a backbone stage finer than the feature map (0..${stageOutputs.length - 2})`);
    }
    const features = this.backbone.model.outputs[0];
    this.maskFeatureModel = tf.model({ inputs: this.backbone.model.inputs, outputs: [features, ...this.maskFeatureStages.map((stage) => stageOutputs[stage])], name: 'mask_features' });
    const inChannels = this.backbone.channels + this.maskFeatureStages.reduce((sum, stage) => sum + (stageOutputs[stage].shape[3] as number), 0);
    this.maskHead = buildMaskHead({ poolSize: this.maskPoolSize, inChannels, numClasses: this.numClasses, width: options.maskHeadWidth, seed: (options.seed ?? 0) + 3 });
  }

  override models(): tf.LayersModel[] {
    return [...super.models(), this.maskHead];
  }

  /** The feature map `[B, h, w, C]` and the mask branch's finer stages (one `[B, H/s, W/s, C_s]` each) of `images`. */
  private maskFeatures(images: tf.Tensor4D, training: boolean): { features: tf.Tensor4D; fine: tf.Tensor4D[] } {
    if (this.maskFeatureStages.length === 0) return { features: this.backbone.model.apply(images, { training }) as tf.Tensor4D, fine: [] };
    const [features, ...fine] = this.maskFeatureModel.apply(images, { training }) as tf.Tensor4D[];
    return { features, fine };
  }

  /**
   * RoI Align of the mask branch (sampling ratio 2, aligned) on the feature map and each finer stage,
   * concatenated along channels → `[ΣK_b, p, p, C + ΣC_s]`.
   */
  private poolMasks(features: tf.Tensor4D, fine: tf.Tensor4D[], boxesPerImage: Float32Array[]): tf.Tensor4D {
    const rois = toRois(boxesPerImage);
    const align = (map: tf.Tensor4D, stride: number) => roiAlignOp(map, rois, { outHeight: this.maskPoolSize, outWidth: this.maskPoolSize, spatialScale: 1 / stride, samplingRatio: 2, aligned: true });
    const pooled = align(features, this.backbone.stride); // [K, p, p, C]
    if (fine.length === 0) return pooled;
    return tf.concat([pooled, ...fine.map((map, i) => align(map, 2 ** (this.maskFeatureStages[i] + 1)))], 3); // [K, p, p, C + ΣC_s]
  }

  /** Training forward pass: the four Faster R-CNN losses and `loss_mask`. Targets need `masks`. */
  override forwardTrain(images: tf.Tensor4D, targets: DetectionTarget[]): Record<string, tf.Scalar> {
    const [, height, width] = images.shape;
    const { features, fine } = this.maskFeatures(images, true); // [B, h, w, C], finer stages
    const rpn = this.rpn.run(features, height, width, targets);
    const heads = this.roiHeads.forwardTrain(features, rpn.proposals, targets);
    // positive RoIs of every image, their classes and mask targets
    const positiveBoxes = heads.samples.map((s) => s.boxes.subarray(0, 4 * s.numPositive));
    const count = positiveBoxes.reduce((s, b) => s + (b.length >> 2), 0);
    if (count === 0) return { ...rpn.losses!, ...heads.losses, loss_mask: tf.scalar(0) };
    const m = 2 * this.maskPoolSize;
    const targetMasks = new Float32Array(count * m * m); // [P, M, M]
    const classMask = new Float32Array(count * this.numClasses); // [P, C] one-hot of the class
    let offset = 0;
    heads.samples.forEach((s, b) => {
      const t = targets[b];
      if (!t.masks) throw new Error(`MaskRCNN.forwardTrain: target ${b} has no masks`);
      targetMasks.set(maskTargets(t.masks, width, height, positiveBoxes[b], s.matchedGt.subarray(0, s.numPositive), m), offset * m * m);
      for (let i = 0; i < s.numPositive; i++) classMask[(offset + i) * this.numClasses + s.labels[i] - 1] = 1;
      offset += s.numPositive;
    });
    const logits = this.maskHead.apply(this.poolMasks(features, fine, positiveBoxes), { training: true }) as tf.Tensor4D; // [P, M, M, C]
    const y = tf.tensor4d(targetMasks, [count, m, m, 1]);
    const bce = sigmoidCrossEntropyPerElement(logits, y); // [P, M, M, C]
    const lossMask = tf.div(tf.sum(tf.mul(bce, tf.tensor4d(classMask, [count, 1, 1, this.numClasses]))), count * m * m) as tf.Scalar;
    return { ...rpn.losses!, ...heads.losses, loss_mask: lossMask };
  }

  /** Detections with `masks` (`Uint8Array [H, W]` per detection) for each image of `images [B, H, W, 3]`. */
  override predict(images: tf.Tensor4D): Detections[] {
    const [, height, width] = images.shape;
    const { features, fine } = this.maskFeatures(images, false); // [B, h, w, C], finer stages
    let detections: Detections[];
    let probabilities: Float32Array;
    const m = 2 * this.maskPoolSize;
    try {
      detections = this.detect(features, height, width);
      if (detections.every((d) => d.labels.length === 0)) return detections.map((d) => ({ ...d, masks: [] }));
      probabilities = tf.tidy(() => tf.sigmoid(this.maskHead.apply(this.poolMasks(features, fine, detections.map((d) => d.boxes)), { training: false }) as tf.Tensor4D).dataSync() as Float32Array); // [K, M, M, C]
    } finally {
      features.dispose();
      for (const map of fine) map.dispose();
    }
    const c = this.numClasses;
    const mask = new Float32Array(m * m);
    let k = 0;
    return detections.map((d) => {
      const masks: Uint8Array[] = [];
      for (let j = 0; j < d.labels.length; j++, k++) {
        for (let q = 0; q < m * m; q++) mask[q] = probabilities[(k * m * m + q) * c + d.labels[j] - 1];
        masks.push(pasteMask(mask, m, d.boxes.subarray(4 * j, 4 * j + 4), width, height, this.maskThreshold));
      }
      return { ...d, masks };
    });
  }
}
