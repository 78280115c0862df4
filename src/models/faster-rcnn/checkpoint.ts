import { loadDetectorWeights, readDetectorMeta } from '../detection/checkpoint.js';
import { assetsDir } from '../../util/paths.js';
import { FasterRCNN, type FasterRcnnOptions } from './faster-rcnn.js';

/**
 * The options the shipped Faster R-CNN was trained with (`scripts/train-detectors.ts`): torchvision's
 * defaults except fewer training proposals and RoIs per image (600 → 300 proposals, 128 RoIs) for
 * speed on two CPU cores, and 300 test proposals.
 */
export const FASTER_RCNN_TRAIN_OPTIONS: FasterRcnnOptions = {
  numClasses: 3,
  seed: 0,
  rpn: { preNmsTopNTrain: 600, postNmsTopNTrain: 300, preNmsTopNTest: 600, postNmsTopNTest: 300 },
  roiHeads: { batchSizePerImage: 128 },
};

/** Path of the shipped Faster R-CNN checkpoint. */
export function shippedFasterRcnnPath(): string {
  return assetsDir('checkpoints', 'detector-faster-rcnn.ckpt');
}

/** Rebuilds the Faster R-CNN of a checkpoint (meta.format 'detseg-faster-rcnn') and loads its weights. */
export function loadFasterRcnn(path = shippedFasterRcnnPath()): { model: FasterRCNN; meta: Record<string, unknown> } {
  const meta = readDetectorMeta(path, 'detseg-faster-rcnn');
  const model = new FasterRCNN(meta.options as FasterRcnnOptions);
  loadDetectorWeights(path, model.models());
  return { model, meta };
}
