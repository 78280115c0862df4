import type { FasterRcnnOptions } from './faster-rcnn.js';

/**
 * The options the shipped Faster R-CNN was trained with (`scripts/train-detectors.ts`): torchvision's
 * defaults except the backbone (widths 32-64-128, stride 8: twice the 16-32-64 that is the default of
 * `buildBackbone` and the backbone of the speed practical's family), fewer training
 * proposals and RoIs per image (600 → 300 proposals, 128 RoIs) for speed on two CPU cores, and 300 test
 * proposals.
 */
export const FASTER_RCNN_TRAIN_OPTIONS: FasterRcnnOptions = {
  numClasses: 3,
  seed: 0,
  backbone: { widths: [32, 64, 128] },
  rpn: { preNmsTopNTrain: 600, postNmsTopNTrain: 300, preNmsTopNTest: 600, postNmsTopNTest: 300 },
  roiHeads: { batchSizePerImage: 128 },
};
