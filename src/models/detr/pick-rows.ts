import * as tf from '@tensorflow/tfjs';

/**
 * Rows `rows` of `x: [M, D]` → `[K, D]`, differentiable, as a one-hot product: the gradient of
 * `tf.gather` needs `UnsortedSegmentSum`, which the wasm backend lacks.
 */
export function pickRows(x: tf.Tensor2D, rows: ArrayLike<number>): tf.Tensor2D {
  const picker = tf.oneHot(tf.tensor1d(Array.from(rows), 'int32'), x.shape[0]).toFloat(); // [K, M]
  return tf.matMul(picker, x);
}
