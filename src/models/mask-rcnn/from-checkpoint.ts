import type { CheckpointData } from '../../engine/checkpoint-format.js';
import { rebuildDetector } from '../detection/checkpoint-data.js';
import { MaskRCNN, type MaskRcnnOptions } from './mask-rcnn.js';

/**
 * Mask R-CNN rebuilt from a decoded checkpoint: the model is built from the options stored in
 * `meta.options`, then given the checkpoint's weights. No file access: `loadMaskRcnn`
 * (`checkpoint.ts`) reads the file and calls this; the browser entry calls it on fetched bytes.
 */

/** Rebuilds the Mask R-CNN of a decoded checkpoint (meta.format 'detseg-mask-rcnn') and loads its weights. */
export function maskRcnnFromCheckpoint(ckpt: CheckpointData, file: string): { model: MaskRCNN; meta: Record<string, unknown> } {
  return rebuildDetector(ckpt, file, 'detseg-mask-rcnn', (options) => new MaskRCNN(options as MaskRcnnOptions));
}
