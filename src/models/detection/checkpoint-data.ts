import type * as tf from '@tensorflow/tfjs';
import type { CheckpointData } from '../../engine/checkpoint-format.js';
import { restoreModelWeights } from '../../engine/state.js';
import { DetsegInputError } from '../../util/errors.js';

/**
 * A detector checkpoint once decoded (`decodeCheckpoint`, from a file or from fetched bytes): its
 * metadata, checked for the detector's `meta.format`, and its weights, given to the detector's layers
 * models by name. No file access here, so that a browser can load a detector; the file-level functions
 * (`readDetectorMeta`, `loadDetectorWeights`) are in `checkpoint.ts`. `file` names the source in errors.
 */

/** The metadata of a decoded detector checkpoint, checking `meta.format` (a {@link DetsegInputError} naming `file` otherwise). */
export function detectorMeta(ckpt: CheckpointData, format: string, file: string): Record<string, unknown> {
  const meta = ckpt.meta ?? {};
  if (meta.format !== format) throw new DetsegInputError(`not a ${format} checkpoint (meta.format ${JSON.stringify(meta.format)})`, { file, field: 'meta.format' });
  return meta;
}

/**
 * Loads the weights of a decoded checkpoint into `models`: each takes the tensors named after its
 * weights (`originalName`), whatever the order of the checkpoint; a missing name raises a
 * {@link DetsegInputError} naming `file` and the model.
 */
export function restoreDetectorWeights(models: tf.LayersModel[], ckpt: CheckpointData, file: string): void {
  const byName = new Map(ckpt.model.map((t) => [t.name, t]));
  for (const model of models) {
    const tensors = model.weights.map((w, i) => {
      const t = byName.get(w.originalName);
      if (!t) throw new DetsegInputError(`has no weight named ${w.originalName} (model ${model.name})`, { file, field: `model[${i}]` });
      return t;
    });
    restoreModelWeights(model, tensors, file);
  }
}

/** `meta.options` of a detector checkpoint, which must be a JSON object (a {@link DetsegInputError} naming `file` otherwise). */
function storedOptions(meta: Record<string, unknown>, file: string): Record<string, unknown> {
  const options = meta.options;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new DetsegInputError(`must be an object of model options, got ${JSON.stringify(options)}`, { file, field: 'meta.options' });
  return options as Record<string, unknown>;
}

/**
 * A detector from a decoded checkpoint: checks `meta.format`, builds the model from `meta.options`
 * with `build` and loads the weights (disposing the model if they do not fit). Every detector loader
 * (file or bytes) goes through here.
 */
export function rebuildDetector<M extends { models(): tf.LayersModel[]; dispose(): void }>(
  ckpt: CheckpointData,
  file: string,
  format: string,
  build: (options: Record<string, unknown>) => M,
): { model: M; meta: Record<string, unknown> } {
  const meta = detectorMeta(ckpt, format, file);
  const model = build(storedOptions(meta, file));
  try {
    restoreDetectorWeights(model.models(), ckpt, file);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, meta };
}
