import { loadDetectorWeights, readDetectorMeta } from '../detection/checkpoint.js';
import { assetsDir } from '../../util/paths.js';
import { RCNN, type RcnnOptions } from './rcnn.js';

/** The options the shipped R-CNN was trained with: 32×32 warps, 64 crops per image and step. */
export const RCNN_TRAIN_OPTIONS: RcnnOptions = { numClasses: 3, seed: 0, warpSize: 32, batchSizePerImage: 64 };

/** Path of the shipped R-CNN checkpoint. */
export function shippedRcnnPath(): string {
  return assetsDir('checkpoints', 'detector-rcnn.ckpt');
}

/** Rebuilds the R-CNN of a checkpoint (meta.format 'detseg-rcnn') and loads its weights. */
export function loadRcnn(path = shippedRcnnPath()): { model: RCNN; meta: Record<string, unknown> } {
  const meta = readDetectorMeta(path, 'detseg-rcnn');
  const model = new RCNN(meta.options as RcnnOptions);
  loadDetectorWeights(path, model.models());
  return { model, meta };
}
