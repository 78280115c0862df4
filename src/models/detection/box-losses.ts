import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy } from '../losses.js';
import type { RoiTargets } from './roi-targets.js';
import { smoothL1Sum } from './smooth-l1.js';

/**
 * The two losses of a Fast/Faster R-CNN box head (torchvision's `fastrcnn_loss`) on the sampled RoIs of
 * a batch, images in order: `loss_classifier`, the softmax cross-entropy over background + C, mean over
 * the S RoIs; `loss_box_reg`, the smooth L1 (β) of the deltas of each foreground RoI's true class against
 * its targets, summed and divided by S. `logits [S, C+1]`, `deltas [S, 4(C+1)]`.
 */
export function boxHeadLosses(logits: tf.Tensor2D, deltas: tf.Tensor2D, samples: RoiTargets[], numClasses: number, beta: number): { loss_classifier: tf.Scalar; loss_box_reg: tf.Scalar } {
  const c1 = numClasses + 1;
  const total = logits.shape[0];
  // Labels [S], and for the deltas a 0/1 mask [S, 4(C+1)] selecting the true class of each foreground
  // RoI, with its targets at the same places (tfjs-wasm has no gradient for gather).
  const labels = new Int32Array(total);
  const mask = new Float32Array(total * c1 * 4);
  const regression = new Float32Array(total * c1 * 4);
  let offset = 0;
  for (const s of samples) {
    labels.set(s.labels, offset);
    for (let i = 0; i < s.numPositive; i++) {
      const o = ((offset + i) * c1 + s.labels[i]) * 4;
      mask.fill(1, o, o + 4);
      regression.set(s.regressionTargets.subarray(4 * i, 4 * i + 4), o);
    }
    offset += s.labels.length;
  }
  const lossClassifier = softmaxCrossEntropy(logits, tf.oneHot(tf.tensor1d(labels, 'int32'), c1).toFloat());
  const boxSum = smoothL1Sum(deltas, tf.tensor2d(regression, [total, 4 * c1]), beta, tf.tensor2d(mask, [total, 4 * c1]));
  return { loss_classifier: lossClassifier, loss_box_reg: tf.div(boxSum, Math.max(total, 1)) as tf.Scalar };
}
