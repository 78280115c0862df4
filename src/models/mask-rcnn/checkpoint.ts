import { loadCheckpoint } from '../../engine/checkpoint.js';
import { rebuildDetector } from '../detection/checkpoint-data.js';
import { assetsDir } from '../../util/paths.js';
import { MaskRCNN, type MaskRcnnOptions } from './mask-rcnn.js';

/** Path of the shipped Mask R-CNN checkpoint. */
export function shippedMaskRcnnPath(): string {
  return assetsDir('checkpoints', 'detector-mask-rcnn.ckpt');
}

/** Rebuilds the Mask R-CNN of a checkpoint (meta.format 'detseg-mask-rcnn') and loads its weights. */
export function loadMaskRcnn(path = shippedMaskRcnnPath()): { model: MaskRCNN; meta: Record<string, unknown> } {
  return rebuildDetector(loadCheckpoint(path), path, 'detseg-mask-rcnn', (options) => new MaskRCNN(options as MaskRcnnOptions));
}
