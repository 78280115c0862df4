import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, saveCheckpoint, type CheckpointData } from '../../engine/checkpoint.js';
import { captureModelWeights } from '../../engine/state.js';
import { detectorMeta, restoreDetectorWeights } from './checkpoint-data.js';

/**
 * Detector checkpoints in the engine's single-file format (`src/engine/checkpoint.ts`): the weights of
 * every layers model of a detector (backbone, heads) side by side, told apart by their layer names,
 * and free metadata (`meta.format`, the model options, training record and metrics). Optimizer state is
 * not kept: shipped checkpoints are for inference. These are the file-level functions; the checks on a
 * decoded checkpoint (browser-safe) are in `checkpoint-data.ts`.
 */

/** Writes the weights of `models` and `meta` atomically to `path`. */
export function saveDetectorCheckpoint(path: string, models: tf.LayersModel[], meta: Record<string, unknown>, step = 0): void {
  saveCheckpoint(path, { epoch: 0, step, rng: { seed: 0, state: 0 }, model: models.flatMap((m) => captureModelWeights(m)), optimizer: [], optimizerName: 'none', meta });
}

/** Reads a detector checkpoint's metadata, checking `meta.format` (a {@link DetsegInputError} names the file otherwise). */
export function readDetectorMeta(path: string, format: string): Record<string, unknown> {
  return detectorMeta(loadCheckpoint(path), format, path);
}

/** Loads the weights of a checkpoint into `models` (each takes the tensors named after its weights); `ckpt`: the file's contents when already read. */
export function loadDetectorWeights(path: string, models: tf.LayersModel[], ckpt: CheckpointData = loadCheckpoint(path)): void {
  restoreDetectorWeights(models, ckpt, path);
}
