import { decodeCheckpoint, type CheckpointData } from '../engine/checkpoint-format.js';
import { DetsegInputError } from '../util/errors.js';
import { restoreDetectorWeights } from './detection/checkpoint-data.js';
import type { Detector, DetectorFamily } from './detection/detector.js';
import { classLocFamily } from './classloc/family.js';
import { fastRcnnFamily } from './fast-rcnn/family.js';
import { fasterRcnnFamily } from './faster-rcnn/family.js';
import { maskRcnnFamily } from './mask-rcnn/family.js';
import { rcnnFamily } from './rcnn/family.js';
import { ssdFamily } from './ssd/family.js';
import { yolov1Family } from './yolov1/family.js';
import { detrFamily } from './detr/family.js';

/**
 * The detector registry: every detector family, registered once. The command line, the loaders (Node
 * and browser), training, validation, the report and the benchmarks iterate over it. Adding a family is
 * one folder `src/models/<kind>/` exporting a {@link DetectorFamily} and one line here. No file access
 * here, so the browser entry can rebuild any registered detector from checkpoint bytes.
 */
export const DETECTOR_FAMILIES: readonly DetectorFamily[] = [classLocFamily, rcnnFamily, fastRcnnFamily, fasterRcnnFamily, maskRcnnFamily, yolov1Family, ssdFamily, detrFamily];

/** The registered kinds, in registry order. */
export function detectorKinds(): string[] {
  return DETECTOR_FAMILIES.map((f) => f.kind);
}

/** The family of `kind` (a {@link DetsegInputError} naming `field` otherwise). */
export function detectorFamily(kind: string, field = 'model'): DetectorFamily {
  const family = DETECTOR_FAMILIES.find((f) => f.kind === kind);
  if (!family) throw new DetsegInputError(`unknown detector '${kind}' (expected ${detectorKinds().join(', ')})`, { field });
  return family;
}

/** A detector rebuilt from a checkpoint, with its family and metadata. */
export interface LoadedFromCheckpoint {
  family: DetectorFamily;
  model: Detector;
  meta: Record<string, unknown>;
}

/**
 * Rebuilds the detector of a decoded checkpoint: the family is the one whose `format` equals
 * `meta.format` (and must be `kind`'s when given), the model is built from `meta.options` and given
 * the checkpoint's weights (by name). Any mismatch raises a {@link DetsegInputError} naming `file` and
 * the field. The caller disposes the model.
 */
export function detectorFromCheckpoint(ckpt: CheckpointData, file: string, kind?: string): LoadedFromCheckpoint {
  const meta = ckpt.meta ?? {};
  const family = DETECTOR_FAMILIES.find((f) => f.format === meta.format);
  if (!family || (kind !== undefined && family.kind !== kind)) {
    const expected = kind === undefined ? DETECTOR_FAMILIES.map((f) => JSON.stringify(f.format)).join(', ') : JSON.stringify(detectorFamily(kind).format);
    throw new DetsegInputError(`not a ${kind ?? 'detector'} checkpoint (meta.format ${JSON.stringify(meta.format)}; expected ${expected})`, { file, field: 'meta.format' });
  }
  const options = meta.options;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new DetsegInputError(`must be an object of model options, got ${JSON.stringify(options)}`, { file, field: 'meta.options' });
  const model = family.build(options as Record<string, unknown>);
  try {
    restoreDetectorWeights(model.models(), ckpt, file);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { family, model, meta };
}

/**
 * Decodes checkpoint bytes (e.g. `assets/checkpoints/detector-faster-rcnn.ckpt` fetched over HTTP) and
 * rebuilds the detector its `meta.format` names. Returns `{kind, family, model, meta}`; bad bytes,
 * another format or missing weights raise a {@link DetsegInputError} naming `file` and the field.
 */
export function detectorFromCheckpointBytes(bytes: Uint8Array, file = 'checkpoint', kind?: string): LoadedFromCheckpoint & { kind: string } {
  const loaded = detectorFromCheckpoint(decodeCheckpoint(bytes, file), file, kind);
  return { kind: loaded.family.kind, ...loaded };
}
