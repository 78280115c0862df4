import type { RcnnOptions } from './rcnn.js';

/**
 * The options `trainOnSynthetic('rcnn', …)` builds its R-CNN with: 128×128 warps (the backbone's input
 * size; see {@link RCNN}), head on the 16×16 crop map max-pooled to 8×8, 64 crops per image and step.
 * `detseg train rcnn --warp` and `scripts/train-detectors.ts --warp` override the warp size. The shipped
 * checkpoint records the options it was trained with in its meta.
 */
export const RCNN_TRAIN_OPTIONS: RcnnOptions = { numClasses: 3, seed: 0, warpSize: 128, batchSizePerImage: 64 };
