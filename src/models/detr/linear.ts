import * as tf from '@tensorflow/tfjs';

/** `x [..., in] · w [in, out] + b [out]` → `[..., out]`. */
export function linear(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor {
  const shape = x.shape;
  const flat = tf.reshape(x, [-1, shape[shape.length - 1]]); // [rows, in]
  let y: tf.Tensor = tf.matMul(flat, w); // [rows, out]
  if (b) y = tf.add(y, b);
  return tf.reshape(y, [...shape.slice(0, -1), w.shape[1]]);
}
