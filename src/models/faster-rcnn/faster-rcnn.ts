import * as tf from '@tensorflow/tfjs';
import { minimizeLosses } from '../detection/train-loop.js';
import { buildBackbone, type Backbone, type BackboneOptions } from '../backbone/backbone.js';
import { buildBoxHead } from '../detection/box-head.js';
import { RoiHeads, type RoiHeadsOptions } from '../detection/roi-heads.js';
import { buildRpnHead } from '../detection/rpn-head.js';
import type { DetectionTarget, Detections, LossValues } from '../detection/types.js';
import { RegionProposalNetwork, type RpnOptions } from './rpn.js';

/** Options of {@link FasterRCNN}: every hyper-parameter of every part. */
export interface FasterRcnnOptions {
  /** Object classes C (default 3: circle, square, triangle). */
  numClasses?: number;
  backbone?: BackboneOptions;
  rpn?: RpnOptions;
  /** Second stage (RoI Align 7×7, sampler 512 / 25 %, coder 10, 10, 5, 5, NMS 0.5, …). */
  roiHeads?: Omit<RoiHeadsOptions, 'numClasses'>;
  /** Width of the box head's two FC layers (default 128). */
  representationSize?: number;
  /** Seed of every initialiser and sampler. */
  seed?: number;
}

/**
 * Faster R-CNN (Ren, He, Girshick, Sun 2015) with torchvision's contract: a backbone, a region proposal
 * network (its head + {@link RegionProposalNetwork}), and RoI heads (RoI Align 7×7 → two FC layers →
 * class logits and class-specific deltas, {@link RoiHeads}). `forwardTrain(images, targets)` returns the
 * four named losses; `predict(images)` the detections of each image.
 *
 * Images are `[B, H, W, 3]` tensors normalised as {@link imagesToTensor} does, H and W divisible by the
 * backbone stride.
 */
export class FasterRCNN {
  readonly numClasses: number;
  readonly backbone: Backbone;
  readonly rpn: RegionProposalNetwork;
  readonly roiHeads: RoiHeads;

  constructor(readonly options: FasterRcnnOptions = {}) {
    const seed = options.seed ?? 0;
    this.numClasses = options.numClasses ?? 3;
    this.backbone = buildBackbone({ seed, ...options.backbone });
    const rpnOptions = { seed, ...options.rpn };
    const anchorsPerLocation = (rpnOptions.anchorSizes?.length ?? 3) * (rpnOptions.aspectRatios?.length ?? 3);
    this.rpn = new RegionProposalNetwork(buildRpnHead({ inChannels: this.backbone.channels, anchorsPerLocation, seed: seed + 1 }), this.backbone.stride, rpnOptions);
    const roiOptions: RoiHeadsOptions = { seed, ...options.roiHeads, numClasses: this.numClasses };
    const boxHead = buildBoxHead({ poolSize: roiOptions.poolSize ?? 7, inChannels: this.backbone.channels, numClasses: this.numClasses, representationSize: options.representationSize, seed: seed + 2 });
    this.roiHeads = new RoiHeads(boxHead, this.backbone.stride, roiOptions);
  }

  /** The layers models holding the weights (backbone, RPN head, box head), for checkpoints. */
  models(): tf.LayersModel[] {
    return [this.backbone.model, this.rpn.head, this.roiHeads.boxHead];
  }

  /** Every trainable variable. */
  trainableVariables(): tf.Variable[] {
    return this.models().flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /**
   * Training forward pass: `images [B, H, W, 3]`, one target per image → the four losses
   * {loss_objectness, loss_rpn_box_reg, loss_classifier, loss_box_reg} as scalars (call inside a
   * gradient scope, e.g. `optimizer.minimize`; the caller disposes them otherwise).
   */
  forwardTrain(images: tf.Tensor4D, targets: DetectionTarget[]): Record<string, tf.Scalar> {
    const [, height, width] = images.shape;
    const features = this.backbone.model.apply(images, { training: true }) as tf.Tensor4D; // [B, h, w, C]
    const rpn = this.rpn.run(features, height, width, targets);
    const heads = this.roiHeads.forwardTrain(features, rpn.proposals, targets);
    return { ...rpn.losses!, ...heads.losses };
  }

  /** One optimisation step on the sum of the four losses; returns their values and their sum (`loss`). */
  trainStep(optimizer: tf.Optimizer, images: tf.Tensor4D, targets: DetectionTarget[]): LossValues {
    return minimizeLosses(optimizer, this.trainableVariables(), () => this.forwardTrain(images, targets));
  }

  /** Detections of each image of `images [B, H, W, 3]` (inference mode). */
  predict(images: tf.Tensor4D): Detections[] {
    const [, height, width] = images.shape;
    const features = this.backbone.model.apply(images, { training: false }) as tf.Tensor4D; // [B, h, w, C]
    try {
      return this.detect(features, height, width);
    } finally {
      features.dispose();
    }
  }

  /** Proposals, box head and post-processing on backbone `features [B, h, w, C]` of `height × width` images. */
  protected detect(features: tf.Tensor4D, height: number, width: number): Detections[] {
    let proposals: Float32Array[] = [];
    tf.tidy(() => {
      proposals = this.rpn.run(features, height, width).proposals;
    });
    return this.roiHeads.predict(features, proposals, height, width);
  }

  dispose(): void {
    for (const m of this.models()) m.dispose();
  }
}
