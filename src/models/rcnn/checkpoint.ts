import { loadCheckpoint } from '../../engine/checkpoint.js';
import { rebuildDetector } from '../detection/checkpoint-data.js';
import { assetsDir } from '../../util/paths.js';
import { RCNN, type RcnnOptions } from './rcnn.js';

/** Path of the shipped R-CNN checkpoint. */
export function shippedRcnnPath(): string {
  return assetsDir('checkpoints', 'detector-rcnn.ckpt');
}

/** Rebuilds the R-CNN of a checkpoint (meta.format 'detseg-rcnn') and loads its weights. */
export function loadRcnn(path = shippedRcnnPath()): { model: RCNN; meta: Record<string, unknown> } {
  return rebuildDetector(loadCheckpoint(path), path, 'detseg-rcnn', (options) => new RCNN(options as RcnnOptions));
}
