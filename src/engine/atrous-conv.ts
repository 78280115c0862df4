import * as tf from '@tensorflow/tfjs';
import { DetsegInputError } from '../util/errors.js';

/**
 * Atrous (dilated) convolution, stride 1, 'same' padding, differentiable on the wasm engine.
 *
 * tfjs' `Conv2D` gradient refuses dilation > 1, so this op brings its own (`tf.customGrad`), built from
 * fast kernels only:
 *
 * - forward: wasm's `Conv2D`, which XNNPACK runs dilated;
 * - input gradient: the same dilated 'same' convolution of the output gradient with the filter flipped
 *   in space and with its channels swapped (for an odd kernel at stride 1 the transposed convolution is a
 *   convolution);
 * - filter gradient: for each kernel tap (i, j), one matrix product of the input shifted by
 *   rate·(i − ci, j − cj) (a slice of the zero-padded input) with the output gradient, `[Ci, Co]`.
 *
 * The space-to-batch form (`spaceToBatchND` → 'valid' conv → `batchToSpaceND`, all with tfjs
 * gradients) gives the same numbers but took 4–8× longer forward + backward on the engine (timings in
 * docs/segmentation.md), hence this form.
 */

type GradFunc = Parameters<typeof tf.customGrad>[0];

/**
 * `x [B, H, W, Ci]` convolved with `filter [kh, kw, Ci, Co]` (odd kh, kw) dilated by `rate`, stride 1,
 * 'same' → `[B, H, W, Co]`: out(y, x) = Σ filter(i, j) · x(y + rate·(i − (kh−1)/2), x + rate·(j − (kw−1)/2)),
 * zero outside the input. Differentiable with respect to `x` and `filter`.
 */
export function atrousConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, rate: number): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  if (!Number.isInteger(rate) || rate < 1) throw new DetsegInputError(`must be an integer ≥ 1, got ${rate}`, { field: 'atrousConv2d: rate' });
  if (kh % 2 !== 1 || kw % 2 !== 1) throw new DetsegInputError(`needs an odd kernel for 'same' padding, got ${kh}×${kw}`, { field: 'atrousConv2d: filter' });
  if (rate === 1) return tf.conv2d(x, filter, 1, 'same');
  // the inputs go through `save`: inside a layer's tidy, a tensor merely closed over is disposed
  // before the backward pass runs
  const op = tf.customGrad(((x0: tf.Tensor4D, f0: tf.Tensor4D, save: (tensors: tf.Tensor[]) => void) => {
    save([x0, f0]);
    return {
      value: tf.conv2d(x0, f0, 1, 'same', 'NHWC', rate),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xt, ft] = saved as [tf.Tensor4D, tf.Tensor4D];
        const flipped = tf.transpose(tf.reverse(ft, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, Co, Ci]
        const dx = tf.conv2d(dy, flipped, 1, 'same', 'NHWC', rate);
        const [b, h, w] = xt.shape;
        const padY = (rate * (kh - 1)) / 2;
        const padX = (rate * (kw - 1)) / 2;
        const padded = tf.pad(xt, [[0, 0], [padY, padY], [padX, padX], [0, 0]]);
        const rows = b * h * w;
        const dyRows = tf.reshape(dy, [rows, co]);
        const taps: tf.Tensor[] = [];
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const shifted = tf.reshape(tf.slice(padded, [0, i * rate, j * rate, 0], [b, h, w, ci]), [rows, ci]);
            taps.push(tf.matMul(shifted, dyRows, true, false)); // [Ci, Co]
          }
        }
        return [dx, tf.reshape(tf.stack(taps), [kh, kw, ci, co])];
      },
    };
  }) as unknown as GradFunc);
  return op(x, filter) as tf.Tensor4D;
}
