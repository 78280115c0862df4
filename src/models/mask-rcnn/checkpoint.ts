import { loadCheckpoint } from '../../engine/checkpoint.js';
import { maskRcnnFromCheckpoint } from './from-checkpoint.js';
import { FASTER_RCNN_TRAIN_OPTIONS } from '../faster-rcnn/checkpoint.js';
import { assetsDir } from '../../util/paths.js';
import { MaskRCNN, type MaskRcnnOptions } from './mask-rcnn.js';

/**
 * The options the shipped Mask R-CNN was trained with: the Faster R-CNN ones plus a mask branch
 * (14×14 → 28×28, width 32) that pools the stride-4 backbone stage beside the stride-8 feature map.
 */
export const MASK_RCNN_TRAIN_OPTIONS: MaskRcnnOptions = { ...FASTER_RCNN_TRAIN_OPTIONS, maskFeatureStages: [1] };

/** Path of the shipped Mask R-CNN checkpoint. */
export function shippedMaskRcnnPath(): string {
  return assetsDir('checkpoints', 'detector-mask-rcnn.ckpt');
}

/** Rebuilds the Mask R-CNN of a checkpoint (meta.format 'detseg-mask-rcnn') and loads its weights. */
export function loadMaskRcnn(path = shippedMaskRcnnPath()): { model: MaskRCNN; meta: Record<string, unknown> } {
  return maskRcnnFromCheckpoint(loadCheckpoint(path), path);
}
