import * as tf from '@tensorflow/tfjs';

/**
 * Smooth L1 (Huber-like) loss of Fast R-CNN, summed over all elements, with torchvision's `beta`:
 *
 *   l(d) = 0.5 d² / β   if |d| < β,   |d| − 0.5 β   otherwise,     d = input − target
 *
 * (β = 1 is Girshick's original; Faster R-CNN's torchvision heads use β = 1/9). β = 0 is plain L1.
 * `input`, `target`: tensors of the same shape; `weights` (optional, same shape or broadcastable)
 * multiplies each element's loss, so that a 0/1 mask selects the elements that count → scalar sum
 * (callers divide by their normaliser).
 */
export function smoothL1Sum(input: tf.Tensor, target: tf.Tensor, beta: number, weights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const diff = tf.abs(tf.sub(input, target));
    const weighted = (perElement: tf.Tensor) => tf.sum(weights ? tf.mul(perElement, weights) : perElement) as tf.Scalar;
    if (beta <= 0) return weighted(diff);
    // With m = min(|d|, β): 0.5 m² / β + (|d| − m) is 0.5 d² / β below β and |d| − 0.5 β above it,
    // written without a comparison so that it differentiates everywhere (tfjs has no gradient for Less).
    const m = tf.minimum(diff, beta);
    return weighted(tf.add(tf.div(tf.mul(0.5, tf.square(m)), beta), tf.sub(diff, m)));
  });
}
