import * as tf from '@tensorflow/tfjs';
import { roiAlign, roiAlignBackward, type RoiAlignOptions } from '../../roi/align.js';
import { roiPoolWithArgmax, roiPoolBackward, type RoiPoolOptions } from '../../roi/pool.js';
import type { RoiArray } from '../../roi/rois.js';

/**
 * RoI Align and RoI Pool as tfjs operations with gradients, so that a detector's losses train the
 * backbone through them. The engine has no RoI ops of its own (there is no `src/engine/roi-ops.ts`),
 * so these wrap the typed-array kernels of `src/roi/align.ts` and `src/roi/pool.ts` with
 * `tf.customGrad`: the forward pass reads the feature map once (`dataSync`), runs the kernel and
 * returns a tensor; the gradient runs the kernel's exact backward pass. The RoIs are constants (a
 * detector's proposals carry no gradient, as in torchvision, which detaches them).
 */

/**
 * RoI Align of `features: [B, H, W, C]` over `rois: Float32Array [K, 5]` (batch index, x1, y1, x2, y2 in
 * image pixels) → `[K, outHeight, outWidth, C]`, differentiable with respect to the features.
 */
export function roiAlignOp(features: tf.Tensor4D, rois: RoiArray, options: RoiAlignOptions): tf.Tensor4D {
  const shape = features.shape;
  const k = rois.length / 5;
  const op = tf.customGrad(((x: tf.Tensor) => {
    const out = roiAlign(x.dataSync() as Float32Array, shape, rois, options); // [K, oh, ow, C]
    return {
      value: tf.tensor4d(out, [k, options.outHeight, options.outWidth, shape[3]]),
      gradFunc: (dy: tf.Tensor) => tf.tensor4d(roiAlignBackward(dy.dataSync() as Float32Array, shape, rois, options), shape),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(features) as tf.Tensor4D;
}

/**
 * RoI Pool (max) of `features: [B, H, W, C]` over `rois: Float32Array [K, 5]` → `[K, outHeight,
 * outWidth, C]`, differentiable with respect to the features (the gradient flows to each bin's maximum).
 */
export function roiPoolOp(features: tf.Tensor4D, rois: RoiArray, options: RoiPoolOptions): tf.Tensor4D {
  const shape = features.shape;
  const k = rois.length / 5;
  const op = tf.customGrad(((x: tf.Tensor) => {
    const { output, argmax } = roiPoolWithArgmax(x.dataSync() as Float32Array, shape, rois, options); // [K, oh, ow, C]
    return {
      value: tf.tensor4d(output, [k, options.outHeight, options.outWidth, shape[3]]),
      gradFunc: (dy: tf.Tensor) => tf.tensor4d(roiPoolBackward(dy.dataSync() as Float32Array, argmax, shape), shape),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(features) as tf.Tensor4D;
}
