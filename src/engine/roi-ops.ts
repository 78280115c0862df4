import * as tf from '@tensorflow/tfjs';
import { roiAlign, roiAlignBackward, type RoiAlignOptions } from '../roi/align.js';
import { roiPool, roiPoolBackward, type RoiPoolOptions } from '../roi/pool.js';
import type { RoiArray } from '../roi/rois.js';

/**
 * RoI Align and RoI Pool as differentiable tfjs ops: the forward and backward passes are the
 * typed-array kernels of `src/roi/` (torchvision semantics, NHWC), wrapped with `tf.customGrad`.
 * The gradient flows to the feature map only (the RoIs are constants, as in Fast/Mask R-CNN, whose
 * box losses act on the regression head instead).
 */

type GradFunc = Parameters<typeof tf.customGrad>[0];

function roiArray(rois: RoiArray | tf.Tensor2D): RoiArray {
  return rois instanceof tf.Tensor ? Float32Array.from(rois.dataSync()) : rois;
}

/**
 * RoI Align of `features [B, H, W, C]` over `rois [K, 5]` (batch index, x1, y1, x2, y2 in image
 * pixels) → `[K, outHeight, outWidth, C]`, differentiable with respect to `features`.
 */
export function roiAlignOp(features: tf.Tensor4D, rois: RoiArray | tf.Tensor2D, options: RoiAlignOptions): tf.Tensor4D {
  const boxes = roiArray(rois);
  const k = boxes.length / 5;
  const op = tf.customGrad(((x: tf.Tensor) => {
    const shape = x.shape as [number, number, number, number];
    const out = roiAlign(x.dataSync() as Float32Array, shape, boxes, options);
    return {
      value: tf.tensor4d(out, [k, options.outHeight, options.outWidth, shape[3]]),
      gradFunc: (dy: tf.Tensor) => tf.tensor4d(roiAlignBackward(dy.dataSync() as Float32Array, shape, boxes, options), shape),
    };
  }) as unknown as GradFunc);
  return op(features) as tf.Tensor4D;
}

/**
 * RoI Pool (max) of `features [B, H, W, C]` over `rois [K, 5]` → `[K, outHeight, outWidth, C]`,
 * differentiable with respect to `features` (the gradient goes to each bin's argmax; empty bins give none).
 */
export function roiPoolOp(features: tf.Tensor4D, rois: RoiArray | tf.Tensor2D, options: RoiPoolOptions): tf.Tensor4D {
  const boxes = roiArray(rois);
  const k = boxes.length / 5;
  const op = tf.customGrad(((x: tf.Tensor) => {
    const shape = x.shape as [number, number, number, number];
    const { output, argmax } = roiPool(x.dataSync() as Float32Array, shape, boxes, options);
    return {
      value: tf.tensor4d(output, [k, options.outHeight, options.outWidth, shape[3]]),
      gradFunc: (dy: tf.Tensor) => tf.tensor4d(roiPoolBackward(dy.dataSync() as Float32Array, argmax, shape), shape),
    };
  }) as unknown as GradFunc);
  return op(features) as tf.Tensor4D;
}
