import * as tf from '@tensorflow/tfjs';
import { DetsegInputError } from '../util/errors.js';

/**
 * Depthwise convolution (one k×k filter per channel), stride 1, 'same' padding, differentiable on the
 * wasm engine, which has the forward kernel (`DepthwiseConv2dNative`) but neither of its gradient
 * kernels. The gradient (`tf.customGrad`) uses fast ops only:
 *
 * - input: the same depthwise convolution of the output gradient with the filter flipped in space (for
 *   an odd kernel at stride 1 the transposed convolution is a convolution);
 * - filter: for each tap (i, j), the sum over batch and positions of the input shifted by (i − ci,
 *   j − cj) times the output gradient, `[C]` per tap.
 */

type GradFunc = Parameters<typeof tf.customGrad>[0];

/**
 * `x [B, H, W, C]` convolved channel by channel with `filter [kh, kw, C, 1]` (odd kh, kw), stride 1,
 * 'same' → `[B, H, W, C]`: out(y, x, c) = Σ filter(i, j, c) · x(y + i − (kh−1)/2, x + j − (kw−1)/2, c).
 * Differentiable with respect to `x` and `filter`.
 */
export function depthwiseConv2dSame(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, c, multiplier] = filter.shape;
  if (kh % 2 !== 1 || kw % 2 !== 1 || multiplier !== 1 || c !== x.shape[3]) {
    throw new DetsegInputError(`expected an odd kernel [kh, kw, ${x.shape[3]}, 1], got [${filter.shape.join(', ')}]`, { field: 'depthwiseConv2dSame: filter' });
  }
  // the inputs go through `save`: inside a layer's tidy, a tensor merely closed over is disposed
  // before the backward pass runs
  const op = tf.customGrad(((x0: tf.Tensor4D, f0: tf.Tensor4D, save: (tensors: tf.Tensor[]) => void) => {
    save([x0, f0]);
    return {
      value: tf.depthwiseConv2d(x0, f0, 1, 'same'),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xt, ft] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dx = tf.depthwiseConv2d(dy, tf.reverse(ft, [0, 1]) as tf.Tensor4D, 1, 'same');
        const [b, h, w] = xt.shape;
        const padY = (kh - 1) / 2;
        const padX = (kw - 1) / 2;
        const padded = tf.pad(xt, [[0, 0], [padY, padY], [padX, padX], [0, 0]]);
        const taps: tf.Tensor[] = [];
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) taps.push(tf.sum(tf.mul(tf.slice(padded, [0, i, j, 0], [b, h, w, c]), dy), [0, 1, 2])); // [C]
        }
        return [dx, tf.reshape(tf.stack(taps), [kh, kw, c, 1])];
      },
    };
  }) as unknown as GradFunc);
  return op(x, filter) as tf.Tensor4D;
}
