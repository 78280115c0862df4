import * as tf from '@tensorflow/tfjs';

/** Layer normalisation over the last axis (ε = 1e-5), with gain `gamma [d]` and shift `beta [d]`. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}
