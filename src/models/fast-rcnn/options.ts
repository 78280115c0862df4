import type { FastRcnnOptions } from './fast-rcnn.js';

/** The options the shipped Fast R-CNN was trained with: RoI Pool 7×7 and 128 sampled RoIs per image; the rest as Faster R-CNN. */
export const FAST_RCNN_TRAIN_OPTIONS: FastRcnnOptions = { numClasses: 3, seed: 0, roiHeads: { batchSizePerImage: 128 } };
