import { loadCheckpoint } from '../../engine/checkpoint.js';
import { fasterRcnnFromCheckpoint } from '../detection/from-checkpoint.js';
import { assetsDir } from '../../util/paths.js';
import { FasterRCNN, type FasterRcnnOptions } from './faster-rcnn.js';

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

/** Path of the shipped Faster R-CNN checkpoint. */
export function shippedFasterRcnnPath(): string {
  return assetsDir('checkpoints', 'detector-faster-rcnn.ckpt');
}

/**
 * Path of the Faster R-CNN of the speed practical (`detseg bench rcnn-family`): the 4,000-step
 * model on the small backbone (widths 16-32-64), from which the shipped Fast R-CNN and R-CNN were
 * fine-tuned, so that the three methods run on one backbone architecture. (R-CNN runs the whole
 * backbone on every 128² crop: on the shipped Faster R-CNN's 4× costlier backbone its fine-tuning and
 * the report would take several times longer.)
 */
export function speedFamilyFasterRcnnPath(): string {
  return assetsDir('checkpoints', 'detector-faster-rcnn-small.ckpt');
}

/** Rebuilds the Faster R-CNN of a checkpoint (meta.format 'detseg-faster-rcnn') and loads its weights. */
export function loadFasterRcnn(path = shippedFasterRcnnPath()): { model: FasterRCNN; meta: Record<string, unknown> } {
  return fasterRcnnFromCheckpoint(loadCheckpoint(path), path);
}
