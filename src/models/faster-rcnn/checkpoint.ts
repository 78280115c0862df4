import { loadCheckpoint } from '../../engine/checkpoint.js';
import { rebuildDetector } from '../detection/checkpoint-data.js';
import { assetsDir } from '../../util/paths.js';
import { FasterRCNN, type FasterRcnnOptions } from './faster-rcnn.js';

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
  return rebuildDetector(loadCheckpoint(path), path, 'detseg-faster-rcnn', (options) => new FasterRCNN(options as FasterRcnnOptions));
}
