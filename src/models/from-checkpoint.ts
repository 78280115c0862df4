import { decodeCheckpoint } from '../engine/checkpoint-format.js';
import { DetsegInputError } from '../util/errors.js';
import type { FasterRCNN } from './faster-rcnn/faster-rcnn.js';
import { fasterRcnnFromCheckpoint } from './faster-rcnn/from-checkpoint.js';
import type { MaskRCNN } from './mask-rcnn/mask-rcnn.js';
import { maskRcnnFromCheckpoint } from './mask-rcnn/from-checkpoint.js';

/**
 * Faster R-CNN or Mask R-CNN rebuilt from checkpoint bytes, whichever `meta.format` names (each
 * family's `from-checkpoint.ts` builds the model from `meta.options` and gives it the weights). No file
 * access: the browser entry `src/browser/models.ts` calls {@link detectorFromCheckpointBytes} on
 * fetched bytes. `file` names the source in error messages.
 */

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
