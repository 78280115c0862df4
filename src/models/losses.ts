import * as tf from '@tensorflow/tfjs';

/**
 * Per-pixel segmentation losses on logits. All take `logits` and `target` of the same shape
 * `[B, H, W, C]` and return a scalar (mean over the batch). Targets are probabilities in [0, 1]:
 * binary masks for the sigmoid losses, one-hot maps for the softmax ones.
 */

/**
 * Sigmoid cross-entropy of each element: max(z, 0) − z·y + log(1 + e^−|z|), the numerically stable
 * form of −y·log σ(z) − (1 − y)·log(1 − σ(z)). `target` broadcasts against `logits`; the result has
 * their broadcast shape.
 */
export function sigmoidCrossEntropyPerElement(logits: tf.Tensor, target: tf.Tensor): tf.Tensor {
  return tf.relu(logits).sub(logits.mul(target)).add(tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
}

/** Sigmoid cross-entropy, mean over every element (see {@link sigmoidCrossEntropyPerElement}). */
export function sigmoidCrossEntropy(logits: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => sigmoidCrossEntropyPerElement(logits, target).mean() as tf.Scalar); // mean of [B, H, W, C]
}

/** Softmax cross-entropy over the last axis, mean over pixels: mean_p(−Σ_c y_pc · log softmax(z_p)_c). */
export function softmaxCrossEntropy(logits: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const logProb = tf.logSoftmax(logits, -1); // [B, H, W, C]
    return tf.neg(logProb.mul(target).sum(-1)).mean() as tf.Scalar; // [B, H, W] → []
  });
}

/**
 * Soft Dice loss, 1 − mean_{b,c} (2·Σ p·y + ε) / (Σ p + Σ y + ε), sums over H and W of each image and
 * channel, with p = σ(z) (`activation: 'sigmoid'`) or softmax over channels (`'softmax'`). ε = 1
 * (smooth, so that empty masks predicted empty score 1).
 */
export function softDiceLoss(logits: tf.Tensor, target: tf.Tensor, activation: 'sigmoid' | 'softmax' = 'sigmoid', epsilon = 1): tf.Scalar {
  return tf.tidy(() => {
    const prob = activation === 'sigmoid' ? tf.sigmoid(logits) : tf.softmax(logits, -1); // [B, H, W, C]
    const intersection = prob.mul(target).sum([1, 2]); // [B, C]
    const total = prob.sum([1, 2]).add(target.sum([1, 2])); // [B, C]
    const dice = intersection.mul(2).add(epsilon).div(total.add(epsilon)); // [B, C]
    return tf.sub(1, dice.mean()) as tf.Scalar;
  });
}

/** Cross-entropy (sigmoid or softmax) plus soft Dice, the usual U-Net training loss. */
export function crossEntropyDiceLoss(logits: tf.Tensor, target: tf.Tensor, activation: 'sigmoid' | 'softmax' = 'sigmoid'): tf.Scalar {
  return tf.tidy(() => {
    const ce = activation === 'sigmoid' ? sigmoidCrossEntropy(logits, target) : softmaxCrossEntropy(logits, target);
    return ce.add(softDiceLoss(logits, target, activation)) as tf.Scalar;
  });
}

/** Names of the segmentation losses, for command-line options. */
export type SegLossName = 'bce' | 'dice' | 'bce+dice' | 'softmax-ce' | 'softmax-dice' | 'softmax-ce+dice';

/** The loss function of a name. */
export function segmentationLoss(name: SegLossName): (logits: tf.Tensor, target: tf.Tensor) => tf.Scalar {
  switch (name) {
    case 'bce':
      return sigmoidCrossEntropy;
    case 'dice':
      return (z, y) => softDiceLoss(z, y, 'sigmoid');
    case 'bce+dice':
      return (z, y) => crossEntropyDiceLoss(z, y, 'sigmoid');
    case 'softmax-ce':
      return softmaxCrossEntropy;
    case 'softmax-dice':
      return (z, y) => softDiceLoss(z, y, 'softmax');
    case 'softmax-ce+dice':
      return (z, y) => crossEntropyDiceLoss(z, y, 'softmax');
    default:
      throw new RangeError(`unknown segmentation loss: ${String(name)}`);
  }
}
