import * as tf from '@tensorflow/tfjs';
import { toRois } from '../detection/roi-heads.js';
import { roiAlignOp } from '../../engine/roi-ops.js';
import { maskTargets } from '../detection/mask-targets.js';
import { pasteMask } from '../detection/mask-paste.js';
import type { DetectionTarget, Detections } from '../detection/types.js';
import { FasterRCNN, type FasterRcnnOptions } from '../faster-rcnn/faster-rcnn.js';
import { buildMaskHead } from './mask-head.js';

/** Options of {@link MaskRCNN}: Faster R-CNN's, plus the mask branch. */
export interface MaskRcnnOptions extends FasterRcnnOptions {
  /** Side of the RoI Align output of the mask branch (default 14; masks are 2× this, 28). */
  maskPoolSize?: number;
  /** Width of the mask head's convolutions (default 32). */
  maskHeadWidth?: number;
  /** Probability at which a pasted mask pixel is on (default 0.5). */
  maskThreshold?: number;
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

  constructor(options: MaskRcnnOptions = {}) {
    super(options);
    this.maskPoolSize = options.maskPoolSize ?? 14;
    this.maskThreshold = options.maskThreshold ?? 0.5;
    this.maskHead = buildMaskHead({ poolSize: this.maskPoolSize, inChannels: this.backbone.channels, numClasses: this.numClasses, width: options.maskHeadWidth, seed: (options.seed ?? 0) + 3 });
  }

  override models(): tf.LayersModel[] {
    return [...super.models(), this.maskHead];
  }

  /** RoI Align of the mask branch on `features [B, h, w, C]` → `[ΣK_b, p, p, C]` (sampling ratio 2, aligned). */
  private poolMasks(features: tf.Tensor4D, boxesPerImage: Float32Array[]): tf.Tensor4D {
    return roiAlignOp(features, toRois(boxesPerImage), { outHeight: this.maskPoolSize, outWidth: this.maskPoolSize, spatialScale: 1 / this.backbone.stride, samplingRatio: 2, aligned: true });
  }

  /** Training forward pass: the four Faster R-CNN losses and `loss_mask`. Targets need `masks`. */
  override forwardTrain(images: tf.Tensor4D, targets: DetectionTarget[]): Record<string, tf.Scalar> {
    const [, height, width] = images.shape;
    const features = this.backbone.model.apply(images, { training: true }) as tf.Tensor4D; // [B, h, w, C]
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
    const logits = this.maskHead.apply(this.poolMasks(features, positiveBoxes), { training: true }) as tf.Tensor4D; // [P, M, M, C]
    const y = tf.tensor4d(targetMasks, [count, m, m, 1]);
    const bce = tf.relu(logits).sub(logits.mul(y)).add(tf.log1p(tf.exp(tf.neg(tf.abs(logits))))); // [P, M, M, C]
    const lossMask = tf.div(tf.sum(tf.mul(bce, tf.tensor4d(classMask, [count, 1, 1, this.numClasses]))), count * m * m) as tf.Scalar;
    return { ...rpn.losses!, ...heads.losses, loss_mask: lossMask };
  }

  /** Detections with `masks` (`Uint8Array [H, W]` per detection) for each image of `images [B, H, W, 3]`. */
  override predict(images: tf.Tensor4D): Detections[] {
    const [, height, width] = images.shape;
    const features = this.backbone.model.apply(images, { training: false }) as tf.Tensor4D; // [B, h, w, C]
    let detections: Detections[];
    let probabilities: Float32Array;
    const m = 2 * this.maskPoolSize;
    try {
      detections = this.detect(features, height, width);
      if (detections.every((d) => d.labels.length === 0)) return detections.map((d) => ({ ...d, masks: [] }));
      probabilities = tf.tidy(() => tf.sigmoid(this.maskHead.apply(this.poolMasks(features, detections.map((d) => d.boxes)), { training: false }) as tf.Tensor4D).dataSync() as Float32Array); // [K, M, M, C]
    } finally {
      features.dispose();
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
