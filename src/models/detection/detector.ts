import type * as tf from '@tensorflow/tfjs';
import type { DetectionTarget, Detections, LossValues } from './types.js';

/**
 * The contract every detector follows (torchvision's): in training, `forwardTrain(images, targets)`
 * returns named scalar losses; in inference, `predict(images)` returns per image
 * `{boxes [N,4] xyxy, labels, scores, masks?}`. Detectors that classify external proposals (R-CNN,
 * Fast R-CNN) take them per image in both calls; the others ignore the argument.
 *
 * Images are `[B, H, W, 3]` tensors normalised as `imagesToTensor` does, H and W multiples of `stride`.
 * A detector whose whole network is one pass before its post-processing also implements
 * `GraphDetector` (`network-graph.ts`), through which it is exported.
 */
export interface Detector {
  /** Object classes C (labels 1..C; 0 is the background). */
  readonly numClasses: number;
  /** Image sides must be multiples of this (the backbone's stride). */
  readonly stride: number;
  /** The layers models holding the weights, in checkpoint order. */
  models(): tf.LayersModel[];
  /** Training forward pass → named scalar losses (inside a gradient scope). `proposals`: `Float32Array [K_b,4] xyxy` per image. */
  forwardTrain(images: tf.Tensor4D, targets: DetectionTarget[], proposals?: Float32Array[]): Record<string, tf.Scalar>;
  /** One optimisation step on the sum of the losses; their values and their sum (`loss`). */
  trainStep(optimizer: tf.Optimizer, images: tf.Tensor4D, targets: DetectionTarget[], proposals?: Float32Array[]): LossValues;
  /** Detections of each image, by decreasing score. */
  predict(images: tf.Tensor4D, proposals?: Float32Array[]): Detections[];
  /**
   * Re-seeds every random sampler from (the model's seed, `step`), so that a training step's sampling
   * depends on the step alone and a resumed run repeats an uninterrupted one.
   */
  reseed(step: number): void;
  dispose(): void;
}

/** A shipped checkpoint of a family (`assets/checkpoints/<file>`). */
export interface ShippedCheckpoint {
  /** Name users give to `--weights` (e.g. 'faster-rcnn'). */
  name: string;
  /** File name in `assets/checkpoints/`. */
  file: string;
  /** One line: the data it was trained on and what it is for. */
  description: string;
}

/**
 * A detector family as the registry knows it: how to build one from options, how its checkpoints are
 * tagged, what it needs, and its training defaults. Adding a family is one folder exporting one of these
 * plus one line in `src/models/registry.ts`.
 */
export interface DetectorFamily {
  /** Name on the command line and in checkpoints (`detseg train <kind>`). */
  kind: string;
  /** Human name with its paper. */
  title: string;
  /** `meta.format` of its checkpoints (`detseg-<kind>`). */
  format: string;
  /** Whether it classifies external (selective-search) proposals. */
  needsProposals: boolean;
  /** Whether it predicts instance masks. */
  masks: boolean;
  /** The names of the losses `forwardTrain` returns (torchvision's where they exist; the training step adds their sum, `loss`). */
  lossNames: string[];
  /** Whether it takes images of exactly one object (classification + localization); its synthetic data then has one shape per image. */
  singleObject?: boolean;
  /** Builds a model from options (`numClasses`, `seed`, parts' options), as stored in `meta.options`. */
  build(options: Record<string, unknown>): Detector;
  /** The options the shipped synthetic-shapes model was trained with (the base of new options). */
  defaultOptions: Record<string, unknown>;
  /** Training defaults of the command line. */
  train: { steps: number; learningRate: number };
  /** Its shipped checkpoints (possibly none); the first is the default of `--weights`. */
  shipped: ShippedCheckpoint[];
}
