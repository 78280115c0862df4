import * as tf from '@tensorflow/tfjs';
import { smoothL1Sum } from '../detection/smooth-l1.js';
import { hardNegatives } from './hard-negatives.js';
import type { SsdTargets } from './targets.js';

/**
 * SSD's multibox loss (Liu et al. 2016, equation 1), with torchvision's names:
 *
 * - `classification`: softmax cross-entropy over background + C classes of the positive default boxes
 *   and of the hard negatives ({@link hardNegatives}, `negativeRatio`:1 by background loss);
 * - `bbox_regression`: Smooth L1 (β = 1) of the positives' predicted offsets against their encoded
 *   ground truth;
 *
 * each summed over the batch and divided by the number of matched default boxes N (a batch without
 * matches gives 0).
 *
 * `logits: [B,K,C+1]` class scores of every default box, `deltas: [B,K,4]` predicted offsets,
 * `targets`: one {@link SsdTargets} per image.
 */
export function ssdLoss(logits: tf.Tensor3D, deltas: tf.Tensor3D, targets: SsdTargets[], negativeRatio = 3): Record<string, tf.Scalar> {
  const [n, k, c1] = logits.shape;
  return tf.tidy(() => {
    const logProbabilities = tf.logSoftmax(logits, -1); // [B, K, C+1]
    const background = tf.neg(logProbabilities.slice([0, 0, 0], [n, k, 1])).dataSync(); // [B·K]: mining needs values only
    const labels = new Int32Array(n * k), positive = new Float32Array(n * k), selected = new Float32Array(n * k), boxTargets = new Float32Array(n * k * 4);
    let matches = 0;
    targets.forEach((t, b) => {
      labels.set(t.labels, b * k);
      boxTargets.set(t.deltas, b * k * 4);
      const isPositive = Uint8Array.from(t.labels, (l) => (l > 0 ? 1 : 0));
      const negatives = hardNegatives(background.subarray(b * k, (b + 1) * k), isPositive, negativeRatio);
      for (let d = 0; d < k; d++) {
        positive[b * k + d] = isPositive[d];
        selected[b * k + d] = isPositive[d] | negatives[d];
      }
      matches += t.numPositive;
    });
    const normaliser = Math.max(1, matches);
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), c1).reshape([n, k, c1]);
    const crossEntropy = tf.neg(tf.sum(tf.mul(oneHot, logProbabilities), -1)); // [B, K]
    const classification = tf.div(tf.sum(tf.mul(crossEntropy, tf.tensor2d(selected, [n, k]))), normaliser) as tf.Scalar;
    const regression = tf.div(smoothL1Sum(deltas, tf.tensor3d(boxTargets, [n, k, 4]), 1, tf.tensor3d(positive, [n, k, 1])), normaliser) as tf.Scalar;
    return { bbox_regression: regression, classification };
  });
}
