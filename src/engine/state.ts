import * as tf from '@tensorflow/tfjs';
import { DetsegInputError } from '../util/errors.js';
import type { CheckpointTensor } from './checkpoint-format.js';

/**
 * Copies of a model's and an optimizer's state as plain typed arrays (what a checkpoint stores), and
 * the way back. Model weights are matched by name and shape; optimizer slots by position (tfjs names
 * them after process-unique variable names, which differ between runs).
 */

/** Every weight of `model` (trainable and not, e.g. batch-norm moving statistics), in model order. */
export function captureModelWeights(model: tf.LayersModel): CheckpointTensor[] {
  return model.weights.map((w) => {
    const value = w.read();
    return { name: w.originalName, shape: [...value.shape], values: Float32Array.from(value.dataSync() as Float32Array) };
  });
}

/** Loads weights captured by {@link captureModelWeights} into `model`; `file` names the source in errors. */
export function restoreModelWeights(model: tf.LayersModel, tensors: CheckpointTensor[], file = 'checkpoint'): void {
  const weights = model.weights;
  if (tensors.length !== weights.length) {
    throw new DetsegInputError(`holds ${tensors.length} model weights but the model has ${weights.length}`, { file, field: 'model' });
  }
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const values = weights.map((w, i) => {
    const t = byName.get(w.originalName);
    if (!t) throw new DetsegInputError(`has no weight named ${w.originalName}`, { file, field: `model[${i}]` });
    if (t.shape.length !== w.shape.length || t.shape.some((d, k) => d !== w.shape[k])) {
      throw new DetsegInputError(`weight ${w.originalName} has shape [${t.shape}] but the model expects [${w.shape}]`, { file, field: `model[${i}].shape` });
    }
    return tf.tensor(t.values, t.shape);
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** The optimizer's slots (iteration count first, then e.g. Adam's first and second moments). */
export async function captureOptimizerState(optimizer: tf.Optimizer): Promise<CheckpointTensor[]> {
  const named = await optimizer.getWeights();
  const out = named.map(({ name, tensor }) => ({ name, shape: [...tensor.shape], values: Float32Array.from(tensor.dataSync()) }));
  // getWeights() creates a fresh scalar for the iteration count; the slots are the optimizer's own variables.
  if (named.length > 0 && named[0].name === 'iter') named[0].tensor.dispose();
  return out;
}

/** Restores slots captured by {@link captureOptimizerState} into a fresh optimizer of the same kind. */
export async function restoreOptimizerState(optimizer: tf.Optimizer, tensors: CheckpointTensor[], file = 'checkpoint'): Promise<void> {
  if (tensors.length === 0) return;
  if (tensors[0].name !== 'iter') throw new DetsegInputError(`first optimizer slot must be 'iter', got ${tensors[0].name}`, { file, field: 'optimizer[0]' });
  const named = tensors.map((t, i) => ({ name: t.name, tensor: i === 0 ? tf.scalar(Math.round(t.values[0]), 'int32') : tf.tensor(t.values, t.shape) }));
  await optimizer.setWeights(named);
  named[0].tensor.dispose();
  restoreAdamPowers(optimizer, Math.round(tensors[0].values[0]));
}

/**
 * Adam keeps β₁ᵗ and β₂ᵗ as running float32 products, one multiplication per step, but tfjs'
 * `setWeights` recomputes them as `pow(β, t + 1)`, which rounds differently: a resumed run would then
 * drift from an uninterrupted one in the last bits. This sets them to the running products again.
 */
function restoreAdamPowers(optimizer: tf.Optimizer, iterations: number): void {
  const adam = optimizer as unknown as { beta1?: number; beta2?: number; accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  if (!(adam.accBeta1 instanceof tf.Variable) || !(adam.accBeta2 instanceof tf.Variable) || adam.beta1 === undefined || adam.beta2 === undefined) return;
  const b1 = Math.fround(adam.beta1), b2 = Math.fround(adam.beta2);
  let p1 = b1, p2 = b2;
  for (let t = 0; t < iterations; t++) {
    p1 = Math.fround(p1 * b1);
    p2 = Math.fround(p2 * b2);
  }
  adam.accBeta1.assign(tf.scalar(p1));
  adam.accBeta2.assign(tf.scalar(p2));
}
