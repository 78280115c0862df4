import * as tf from '@tensorflow/tfjs';
import { imageSeed } from '../../data/synthetic.js';
import type { Backbone } from '../backbone/backbone.js';
import type { Detector } from './detector.js';
import type { MaskBranch } from './mask-branch.js';
import type { RoiHeads } from './roi-heads.js';
import type { RegionProposalNetwork } from './rpn.js';
import { minimizeLosses } from './train-loop.js';
import type { DetectionTarget, Detections, LossValues } from './types.js';

/** The parts of a {@link GeneralizedRCNN}. */
export interface RcnnParts {
  backbone: Backbone;
  /** The region proposal network; absent: the detector takes external proposals (Fast R-CNN). */
  rpn?: RegionProposalNetwork;
  /** The second stage: RoI pooling, box head, losses and post-processing. */
  roiHeads: RoiHeads;
  /** The mask branch (Mask R-CNN). */
  mask?: MaskBranch;
}

/**
 * The two-stage detector as one composition (detectron2's `GeneralizedRCNN`): a backbone, a proposer —
 * the region proposal network, or proposals given with the images —, RoI heads and an optional mask
 * branch. Fast R-CNN is backbone + external proposals + RoI heads (RoI Pool); Faster R-CNN adds the RPN;
 * Mask R-CNN adds the mask branch. Training returns the parts' named losses
 * (`loss_objectness`, `loss_rpn_box_reg`, `loss_classifier`, `loss_box_reg`, `loss_mask`).
 */
export class GeneralizedRCNN implements Detector {
  readonly backbone: Backbone;
  readonly rpn: RegionProposalNetwork | undefined;
  readonly roiHeads: RoiHeads;
  readonly mask: MaskBranch | undefined;

  constructor(
    readonly numClasses: number,
    parts: RcnnParts,
    /** Seed of the samplers' per-step sequences ({@link reseed}). */
    readonly seed = 0,
  ) {
    this.backbone = parts.backbone;
    this.rpn = parts.rpn;
    this.roiHeads = parts.roiHeads;
    this.mask = parts.mask;
  }

  get stride(): number {
    return this.backbone.stride;
  }

  /** Backbone, RPN head, box head, mask head (those present), for checkpoints. */
  models(): tf.LayersModel[] {
    return [this.backbone.model, ...(this.rpn ? [this.rpn.head] : []), this.roiHeads.boxHead, ...(this.mask ? [this.mask.head] : [])];
  }

  /** Every trainable variable. */
  trainableVariables(): tf.Variable[] {
    return this.models().flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /** Feature map `[B, h, w, C]` and the mask branch's finer stages of `images`. */
  private features(images: tf.Tensor4D, training: boolean): { features: tf.Tensor4D; fine: tf.Tensor4D[] } {
    return this.mask ? this.mask.features(images, training) : { features: this.backbone.model.apply(images, { training }) as tf.Tensor4D, fine: [] };
  }

  private requireProposals(proposals: Float32Array[] | undefined, images: number): Float32Array[] {
    if (!proposals || proposals.length !== images) throw new Error(`${this.constructor.name} needs the proposals of each image (${images}), got ${proposals?.length ?? 'none'}`);
    return proposals;
  }

  forwardTrain(images: tf.Tensor4D, targets: DetectionTarget[], proposals?: Float32Array[]): Record<string, tf.Scalar> {
    const [batch, height, width] = images.shape;
    const { features, fine } = this.features(images, true); // [B, h, w, C], finer stages
    const rpn = this.rpn?.run(features, height, width, targets);
    const heads = this.roiHeads.forwardTrain(features, rpn ? rpn.proposals : this.requireProposals(proposals, batch), targets);
    const losses: Record<string, tf.Scalar> = { ...rpn?.losses, ...heads.losses };
    if (this.mask) losses.loss_mask = this.mask.loss(features, fine, heads.samples, targets, width, height);
    return losses;
  }

  trainStep(optimizer: tf.Optimizer, images: tf.Tensor4D, targets: DetectionTarget[], proposals?: Float32Array[]): LossValues {
    return minimizeLosses(optimizer, this.trainableVariables(), () => this.forwardTrain(images, targets, proposals));
  }

  predict(images: tf.Tensor4D, proposals?: Float32Array[]): Detections[] {
    const [batch, height, width] = images.shape;
    const given = this.rpn ? undefined : this.requireProposals(proposals, batch);
    const { features, fine } = this.features(images, false); // [B, h, w, C], finer stages
    try {
      let boxes = given ?? [];
      if (this.rpn) tf.tidy(() => void (boxes = this.rpn!.run(features, height, width).proposals));
      const detections = this.roiHeads.predict(features, boxes, height, width);
      return this.mask ? this.mask.paste(features, fine, detections, width, height) : detections;
    } finally {
      features.dispose();
      for (const map of fine) map.dispose();
    }
  }

  reseed(step: number): void {
    this.rpn?.sampler.reseed(imageSeed(imageSeed(this.seed, step), 0));
    this.roiHeads.sampler.reseed(imageSeed(imageSeed(this.seed, step), 1));
  }

  dispose(): void {
    for (const m of this.models()) m.dispose();
  }
}
