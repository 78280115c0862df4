import type { CheckpointData } from '../../engine/checkpoint-format.js';
import { rebuildDetector } from '../detection/checkpoint-data.js';
import { FasterRCNN, type FasterRcnnOptions } from './faster-rcnn.js';

/**
 * Faster R-CNN rebuilt from a decoded checkpoint: the model is built from the options stored in
 * `meta.options`, then given the checkpoint's weights. No file access: `loadFasterRcnn`
 * (`checkpoint.ts`) reads the file and calls this; the browser entry calls it on fetched bytes.
 */

/** Rebuilds the Faster R-CNN of a decoded checkpoint (meta.format 'detseg-faster-rcnn') and loads its weights. */
export function fasterRcnnFromCheckpoint(ckpt: CheckpointData, file: string): { model: FasterRCNN; meta: Record<string, unknown> } {
  return rebuildDetector(ckpt, file, 'detseg-faster-rcnn', (options) => new FasterRCNN(options as FasterRcnnOptions));
}
