import * as tf from '@tensorflow/tfjs';
import { minimizeLosses } from '../detection/train-loop.js';
import { buildBackbone, type Backbone, type BackboneOptions } from '../backbone/backbone.js';
import { buildBoxHead } from '../detection/box-head.js';
import { RoiHeads, type RoiHeadsOptions } from '../detection/roi-heads.js';
import type { DetectionTarget, Detections, LossValues } from '../detection/types.js';

/** Options of {@link FastRCNN}. */
export interface FastRcnnOptions {
  /** Object classes C (default 3). */
  numClasses?: number;
  backbone?: BackboneOptions;
  /** Second stage; the pooler defaults to RoI Pool 7×7 (Girshick 2015). */
  roiHeads?: Omit<RoiHeadsOptions, 'numClasses'>;
  /** Width of the box head's two FC layers (default 128). */
  representationSize?: number;
  seed?: number;
}

/**
 * Fast R-CNN (Girshick 2015): the backbone runs once per image; each external proposal (selective
 * search here) is max-pooled from the feature map by RoI Pool 7×7 and classified by the same two-FC box
 * head as Faster R-CNN (softmax over background + C, class-specific deltas, smooth L1). The layer
 * names equal Faster R-CNN's, so a Faster R-CNN checkpoint initialises it.
 */
export class FastRCNN {
  readonly numClasses: number;
  readonly backbone: Backbone;
  readonly roiHeads: RoiHeads;

  constructor(readonly options: FastRcnnOptions = {}) {
    const seed = options.seed ?? 0;
    this.numClasses = options.numClasses ?? 3;
    this.backbone = buildBackbone({ seed, ...options.backbone });
    const roiOptions: RoiHeadsOptions = { seed, pooler: 'pool', ...options.roiHeads, numClasses: this.numClasses };
    const boxHead = buildBoxHead({ poolSize: roiOptions.poolSize ?? 7, inChannels: this.backbone.channels, numClasses: this.numClasses, representationSize: options.representationSize, seed: seed + 2 });
    this.roiHeads = new RoiHeads(boxHead, this.backbone.stride, roiOptions);
  }

  models(): tf.LayersModel[] {
    return [this.backbone.model, this.roiHeads.boxHead];
  }

  trainableVariables(): tf.Variable[] {
    return this.models().flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /** `images [B, H, W, 3]`, targets, and the proposals of each image → {loss_classifier, loss_box_reg}. */
  forwardTrain(images: tf.Tensor4D, targets: DetectionTarget[], proposals: Float32Array[]): Record<string, tf.Scalar> {
    const features = this.backbone.model.apply(images, { training: true }) as tf.Tensor4D; // [B, h, w, C]
    return { ...this.roiHeads.forwardTrain(features, proposals, targets).losses };
  }

  /** One optimisation step; `proposals` per image are required. */
  trainStep(optimizer: tf.Optimizer, images: tf.Tensor4D, targets: DetectionTarget[], proposals?: Float32Array[]): LossValues {
    if (!proposals) throw new Error('FastRCNN.trainStep needs the proposals of each image');
    return minimizeLosses(optimizer, this.trainableVariables(), () => this.forwardTrain(images, targets, proposals));
  }

  /** Detections of each image of `images [B, H, W, 3]` from its `proposals` (`Float32Array [K_b,4] xyxy`). */
  predict(images: tf.Tensor4D, proposals: Float32Array[]): Detections[] {
    const [, height, width] = images.shape;
    const features = this.backbone.model.apply(images, { training: false }) as tf.Tensor4D;
    try {
      return this.roiHeads.predict(features, proposals, height, width);
    } finally {
      features.dispose();
    }
  }

  dispose(): void {
    for (const m of this.models()) m.dispose();
  }
}
