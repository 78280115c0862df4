import { decodeCheckpoint, type CheckpointData } from '../../engine/checkpoint-format.js';
import { DetsegInputError } from '../../util/errors.js';
import { FasterRCNN, type FasterRcnnOptions } from '../faster-rcnn/faster-rcnn.js';
import { MaskRCNN, type MaskRcnnOptions } from '../mask-rcnn/mask-rcnn.js';
import { rebuildDetector } from './checkpoint-data.js';

/**
 * Faster R-CNN and Mask R-CNN rebuilt from a decoded checkpoint: the model is built from the options
 * stored in `meta.options`, then given the checkpoint's weights. No file access: `loadFasterRcnn` /
 * `loadMaskRcnn` (`../faster-rcnn/checkpoint.ts`, `../mask-rcnn/checkpoint.ts`) read the file and call
 * these, and the browser entry `src/browser/models.ts` calls {@link detectorFromCheckpointBytes} on
 * fetched bytes. `file` names the source in error messages.
 */

/** Rebuilds the Faster R-CNN of a decoded checkpoint (meta.format 'detseg-faster-rcnn') and loads its weights. */
export function fasterRcnnFromCheckpoint(ckpt: CheckpointData, file: string): { model: FasterRCNN; meta: Record<string, unknown> } {
  return rebuildDetector(ckpt, file, 'detseg-faster-rcnn', (options) => new FasterRCNN(options as FasterRcnnOptions));
}

/** Rebuilds the Mask R-CNN of a decoded checkpoint (meta.format 'detseg-mask-rcnn') and loads its weights. */
export function maskRcnnFromCheckpoint(ckpt: CheckpointData, file: string): { model: MaskRCNN; meta: Record<string, unknown> } {
  return rebuildDetector(ckpt, file, 'detseg-mask-rcnn', (options) => new MaskRCNN(options as MaskRcnnOptions));
}

/** A detector rebuilt from checkpoint bytes; `kind` says which (from `meta.format`). */
export type DetectorFromCheckpoint =
  | { kind: 'faster-rcnn'; model: FasterRCNN; meta: Record<string, unknown> }
  | { kind: 'mask-rcnn'; model: MaskRCNN; meta: Record<string, unknown> };

/**
 * Decodes checkpoint bytes (a detseg checkpoint, e.g. `assets/checkpoints/detector-faster-rcnn.ckpt`
 * fetched over HTTP) and rebuilds the detector its `meta.format` names: 'detseg-faster-rcnn' or
 * 'detseg-mask-rcnn'. Any other format, bad bytes or missing weights raise a {@link DetsegInputError}
 * naming `file` and the field. The caller disposes the model (`model.dispose()`).
 */
export function detectorFromCheckpointBytes(bytes: Uint8Array, file = 'checkpoint'): DetectorFromCheckpoint {
  const ckpt = decodeCheckpoint(bytes, file);
  const format = ckpt.meta?.format;
  if (format === 'detseg-faster-rcnn') return { kind: 'faster-rcnn', ...fasterRcnnFromCheckpoint(ckpt, file) };
  if (format === 'detseg-mask-rcnn') return { kind: 'mask-rcnn', ...maskRcnnFromCheckpoint(ckpt, file) };
  throw new DetsegInputError(`not a Faster R-CNN or Mask R-CNN checkpoint (meta.format ${JSON.stringify(format)}; expected "detseg-faster-rcnn" or "detseg-mask-rcnn")`, { file, field: 'meta.format' });
}
