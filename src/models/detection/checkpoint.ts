import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, saveCheckpoint, type CheckpointData } from '../../engine/checkpoint.js';
import { captureModelWeights, restoreModelWeights } from '../../engine/state.js';
import { DetsegInputError } from '../../util/errors.js';

/**
 * Detector checkpoints in the engine's single-file format (`src/engine/checkpoint.ts`): the weights of
 * every layers model of a detector (backbone, heads) side by side, told apart by their layer names,
 * and free metadata (`meta.format`, the model options, training record and metrics). Optimizer state is
 * not kept: shipped checkpoints are for inference.
 */

/** Writes the weights of `models` and `meta` atomically to `path`. */
export function saveDetectorCheckpoint(path: string, models: tf.LayersModel[], meta: Record<string, unknown>, step = 0): void {
  saveCheckpoint(path, { epoch: 0, step, rng: { seed: 0, state: 0 }, model: models.flatMap((m) => captureModelWeights(m)), optimizer: [], optimizerName: 'none', meta });
}

/** Reads a detector checkpoint's metadata, checking `meta.format` (a {@link DetsegInputError} names the file otherwise). */
export function readDetectorMeta(path: string, format: string): Record<string, unknown> {
  const meta = loadCheckpoint(path).meta ?? {};
  if (meta.format !== format) throw new DetsegInputError(`not a ${format} checkpoint (meta.format ${JSON.stringify(meta.format)})`, { file: path, field: 'meta.format' });
  return meta;
}

/** Loads the weights of a checkpoint into `models` (each takes the tensors named after its weights); `ckpt`: the file's contents when already read. */
export function loadDetectorWeights(path: string, models: tf.LayersModel[], ckpt: CheckpointData = loadCheckpoint(path)): void {
  const byName = new Map(ckpt.model.map((t) => [t.name, t]));
  for (const model of models) {
    const tensors = model.weights.map((w, i) => {
      const t = byName.get(w.originalName);
      if (!t) throw new DetsegInputError(`has no weight named ${w.originalName} (model ${model.name})`, { file: path, field: `model[${i}]` });
      return t;
    });
    restoreModelWeights(model, tensors, path);
  }
}
