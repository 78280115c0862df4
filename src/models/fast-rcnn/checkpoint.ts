import { loadCheckpoint } from '../../engine/checkpoint.js';
import { rebuildDetector } from '../detection/checkpoint-data.js';
import { assetsDir } from '../../util/paths.js';
import { FastRCNN, type FastRcnnOptions } from './fast-rcnn.js';

/** Path of the shipped Fast R-CNN checkpoint. */
export function shippedFastRcnnPath(): string {
  return assetsDir('checkpoints', 'detector-fast-rcnn.ckpt');
}

/** Rebuilds the Fast R-CNN of a checkpoint (meta.format 'detseg-fast-rcnn') and loads its weights. */
export function loadFastRcnn(path = shippedFastRcnnPath()): { model: FastRCNN; meta: Record<string, unknown> } {
  return rebuildDetector(loadCheckpoint(path), path, 'detseg-fast-rcnn', (options) => new FastRCNN(options as FastRcnnOptions));
}
