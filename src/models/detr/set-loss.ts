import * as tf from '@tensorflow/tfjs';
import { pickRows } from './pick-rows.js';
import { hungarianMatch, type MatchWeights, type SetMatch, type SetTarget } from './matcher.js';

/** Options of {@link setLoss}: the matching weights and the no-object weight of the cross-entropy. */
export interface SetLossOptions extends MatchWeights {
  /** Weight of the no-object class in the cross-entropy (default 0.1, the paper's). */
  noObjectWeight?: number;
}

/** The three unweighted terms of {@link setLoss} (scalars) and the match of each image. */
export interface SetLossTerms {
  /** Weighted cross-entropy over every query. */
  ce: tf.Scalar;
  /** Σ over matched pairs of ‖b̂ − b‖₁ (cx, cy, w, h), over the number of objects. */
  l1: tf.Scalar;
  /** Σ over matched pairs of 1 − GIoU(b̂, b), over the number of objects. */
  giou: tf.Scalar;
  matches: SetMatch[];
}

/** Generalized IoU of paired (cx, cy, w, h) boxes `a, b: [K,4]` → `[K]`, differentiable. */
export function pairedGiou(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  const [acx, acy, aw, ah] = tf.unstack(a, 1);
  const [bcx, bcy, bw, bh] = tf.unstack(b, 1);
  const ax1 = tf.sub(acx, tf.mul(aw, 0.5)), ax2 = tf.add(acx, tf.mul(aw, 0.5)), ay1 = tf.sub(acy, tf.mul(ah, 0.5)), ay2 = tf.add(acy, tf.mul(ah, 0.5));
  const bx1 = tf.sub(bcx, tf.mul(bw, 0.5)), bx2 = tf.add(bcx, tf.mul(bw, 0.5)), by1 = tf.sub(bcy, tf.mul(bh, 0.5)), by2 = tf.add(bcy, tf.mul(bh, 0.5));
  const iw = tf.relu(tf.sub(tf.minimum(ax2, bx2), tf.maximum(ax1, bx1)));
  const ih = tf.relu(tf.sub(tf.minimum(ay2, by2), tf.maximum(ay1, by1)));
  const inter = tf.mul(iw, ih);
  const union = tf.sub(tf.add(tf.mul(aw, ah), tf.mul(bw, bh)), inter);
  const hull = tf.mul(tf.sub(tf.maximum(ax2, bx2), tf.minimum(ax1, bx1)), tf.sub(tf.maximum(ay2, by2), tf.minimum(ay1, by1)));
  return tf.sub(tf.div(inter, union), tf.div(tf.sub(hull, union), hull)) as tf.Tensor1D;
}

/**
 * DETR's set loss for one decoder layer's predictions. Each image's queries are matched to its objects
 * by {@link hungarianMatch} on the detached outputs; then, with K_tot = max(1, objects in the batch):
 *
 *     ce   = Σ_i w_i·(−log p̂_i(t_i)) / Σ_i w_i   over all B·N queries, t_i the matched class or
 *            "no object" (index C), w_i = noObjectWeight for "no object" and 1 otherwise
 *            (a weighted mean, as PyTorch's weighted cross-entropy)
 *     l1   = Σ_matched ‖b̂ − b‖₁ / K_tot
 *     giou = Σ_matched (1 − GIoU(b̂, b)) / K_tot
 *
 * `logits: [B, N, C+1]` (the last class is "no object"), `boxes: [B, N, 4]` (cx, cy, w, h) in (0, 1);
 * `targets` per image. Returns the unweighted terms; the caller weighs them (1, 5, 2 in the paper).
 */
export function setLoss(logits: tf.Tensor3D, boxes: tf.Tensor3D, targets: SetTarget[], options: SetLossOptions = {}): SetLossTerms {
  const [batch, n, classes] = logits.shape;
  const noObject = classes - 1;
  const probabilities = tf.tidy(() => tf.softmax(logits).dataSync() as Float32Array); // [B·N·(C+1)]
  const boxValues = boxes.dataSync() as Float32Array; // [B·N·4]
  const classTargets = new Int32Array(batch * n).fill(noObject);
  const weights = new Float32Array(batch * n).fill(options.noObjectWeight ?? 0.1);
  const matchedRows: number[] = [];
  const matchedBoxes: number[] = [];
  const matches: SetMatch[] = [];
  let objects = 0;
  targets.forEach((target, b) => {
    objects += target.labels.length;
    const match = hungarianMatch(probabilities.subarray(b * n * classes, (b + 1) * n * classes), boxValues.subarray(b * n * 4, (b + 1) * n * 4), target, options);
    matches.push(match);
    match.queries.forEach((q, k) => {
      const j = match.objects[k];
      classTargets[b * n + q] = target.labels[j];
      weights[b * n + q] = 1;
      matchedRows.push(b * n + q);
      matchedBoxes.push(...target.boxes.subarray(4 * j, 4 * j + 4));
    });
  });
  const weightSum = weights.reduce((s, w) => s + w, 0);
  const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(tf.tensor1d(classTargets, 'int32'), classes), tf.logSoftmax(tf.reshape(logits, [batch * n, classes]))), 1)); // [B·N]
  const ce = tf.div(tf.sum(tf.mul(nll, tf.tensor1d(weights))), weightSum) as tf.Scalar;
  const norm = Math.max(1, objects);
  if (matchedRows.length === 0) return { ce, l1: tf.scalar(0), giou: tf.scalar(0), matches };
  const predicted = pickRows(tf.reshape(boxes, [batch * n, 4]), matchedRows); // [K, 4]
  const wanted = tf.tensor2d(matchedBoxes, [matchedRows.length, 4]);
  const l1 = tf.div(tf.sum(tf.abs(tf.sub(predicted, wanted))), norm) as tf.Scalar;
  const giou = tf.div(tf.sum(tf.sub(1, pairedGiou(predicted, wanted))), norm) as tf.Scalar;
  return { ce, l1, giou, matches };
}
