import * as tf from '@tensorflow/tfjs';

/**
 * Gradient clipping by global norm (Pascanu et al. 2013, as in DETR's training): with
 * ‖g‖ = √(Σ over every tensor of Σ g²), every gradient is scaled by min(1, maxNorm / ‖g‖). Returns the
 * scaled gradients (new tensors, same names) and the norm before clipping. The caller disposes both
 * maps.
 */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): { grads: tf.NamedTensorMap; norm: number } {
  const names = Object.keys(grads);
  const norm = tf.tidy(() => Math.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))).dataSync()[0]));
  const scale = norm > maxNorm ? maxNorm / norm : 1;
  const out: tf.NamedTensorMap = {};
  for (const n of names) out[n] = tf.mul(grads[n], scale);
  return { grads: out, norm };
}
