import * as tf from '@tensorflow/tfjs';
import type { YoloGrid } from './output.js';
import type { YoloTargets } from './targets.js';

/** Weights of the YOLOv1 loss. */
export interface YoloLossWeights {
  /** λcoord, on the position and size terms (default 5). */
  coord?: number;
  /** λnoobj, on the confidence of the predictors responsible for no object (default 0.5). */
  noobj?: number;
}

/**
 * YOLOv1's sum-squared loss, term by term, summed over the grid and averaged over the images:
 *
 * - `loss_coord`  λcoord Σᵢⱼ 1ᵢⱼᵒᵇʲ [(x − x̂)² + (y − ŷ)²]
 * - `loss_size`   λcoord Σᵢⱼ 1ᵢⱼᵒᵇʲ [(√w − √ŵ)² + (√h − √ĥ)²]
 * - `loss_obj`    Σᵢⱼ 1ᵢⱼᵒᵇʲ (C − Ĉ)²
 * - `loss_noobj`  λnoobj Σᵢⱼ 1ᵢⱼⁿᵒᵒᵇʲ (C − Ĉ)²   (Ĉ = 0 there)
 * - `loss_class`  Σᵢ 1ᵢᵒᵇʲ Σ_c (p(c) − p̂(c))²
 *
 * `output`: activated outputs `[N,S,S,5B+C]` ({@link activateYoloOutput}; the predictors' √w, √h are
 * outputs, so the √ terms are differences of outputs); `targets`: one {@link YoloTargets} per image.
 */
export function yoloLoss(output: tf.Tensor4D, targets: YoloTargets[], grid: YoloGrid, weights: YoloLossWeights = {}): Record<string, tf.Scalar> {
  const { s, b, c } = grid;
  const n = targets.length;
  const stack = (pick: (t: YoloTargets) => Float32Array, per: number) => {
    const data = new Float32Array(n * per);
    targets.forEach((t, k) => data.set(pick(t), k * per));
    return data;
  };
  const lambdaCoord = weights.coord ?? 5, lambdaNoobj = weights.noobj ?? 0.5;
  return tf.tidy(() => {
    const [boxPart, classPart] = tf.split(output, [5 * b, c], 3);
    const predictors = boxPart.reshape([n, s, s, b, 5]);
    const [xy, size, confidence] = tf.split(predictors, [2, 2, 1], 4); // [N,S,S,B,2], [N,S,S,B,2], [N,S,S,B,1]
    const box = tf.tensor(stack((t) => t.box, s * s * b * 4), [n, s, s, b, 4]);
    const [xyTarget, sizeTarget] = tf.split(box, [2, 2], 4);
    const obj = tf.tensor(stack((t) => t.obj, s * s * b), [n, s, s, b, 1]);
    const confidenceTarget = tf.tensor(stack((t) => t.confidence, s * s * b), [n, s, s, b, 1]);
    const cell = tf.tensor(stack((t) => t.cell, s * s), [n, s, s, 1]);
    const classes = tf.tensor(stack((t) => t.classes, s * s * c), [n, s, s, c]);
    const sumSq = (a: tf.Tensor, t: tf.Tensor, mask: tf.Tensor) => tf.sum(tf.mul(mask, tf.square(tf.sub(a, t))));
    const perImage = (x: tf.Tensor, lambda = 1) => tf.mul(x, lambda / n) as tf.Scalar;
    return {
      loss_coord: perImage(sumSq(xy, xyTarget, obj), lambdaCoord),
      loss_size: perImage(sumSq(size, sizeTarget, obj), lambdaCoord),
      loss_obj: perImage(sumSq(confidence, confidenceTarget, obj)),
      loss_noobj: perImage(tf.sum(tf.mul(tf.sub(1, obj), tf.square(confidence))), lambdaNoobj),
      loss_class: perImage(sumSq(classPart, classes, cell)),
    };
  });
}
