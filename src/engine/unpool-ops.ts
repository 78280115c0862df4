import * as tf from '@tensorflow/tfjs';
import { maxPoolWithSwitches, maxUnpool, maxUnpoolBackward } from '../ops/max-unpool.js';
import { validateInteger } from '../ops/nhwc.js';

/**
 * Unpooling: the parameter-free ways of bringing a low-resolution map `[B, H, W, C]` back to
 * `[B, f·H, f·W, C]` that the transposed convolution generalises (it learns what each input value
 * scatters; these scatter a fixed pattern). All three are differentiable tfjs ops:
 *
 * - nearest neighbour: each value fills its f×f block;
 * - "bed of nails": each value goes to the top-left cell of its block, the rest are zeros;
 * - max-unpooling: each value goes back to where the matching max-pool found its maximum (the
 *   switches of {@link maxPoolWithSwitchesOp}), the rest are zeros.
 *
 * The first two are reshapes, a tile and a pad (the gradient is tfjs' own: a sum over each block,
 * resp. the top-left cells); the max pair wraps the typed-array loops of `src/ops/max-unpool.ts` in
 * `tf.customGrad` (the gradient of each is the other one's scatter / gather at the switches).
 */

type GradFunc = Parameters<typeof tf.customGrad>[0];

function checkFactor(factor: number, field: string): void {
  validateInteger(factor, 1, field);
}

/** Nearest-neighbour unpooling of `x [B, H, W, C]` by `factor` → `[B, factor·H, factor·W, C]`. */
export function nearestUnpool(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  checkFactor(factor, 'nearestUnpool: factor');
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    // columns, then rows, each a rank-4 tile (tfjs' tile gradient stops at rank 4)
    const wide = tf.reshape(tf.tile(tf.reshape(x, [b * h, w, 1, c]), [1, 1, factor, 1]), [b * h, 1, w * factor, c]);
    return tf.reshape(tf.tile(wide, [1, factor, 1, 1]), [b, h * factor, w * factor, c]);
  });
}

/** "Bed of nails" unpooling of `x [B, H, W, C]` by `factor` → `[B, factor·H, factor·W, C]`, zeros off the nails. */
export function bedOfNailsUnpool(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  checkFactor(factor, 'bedOfNailsUnpool: factor');
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    // zeros after each value along the columns, then after each row: the value sits at (0, 0) of its block
    const wide = tf.reshape(tf.pad(tf.reshape(x, [b * h, w, 1, c]), [[0, 0], [0, 0], [0, factor - 1], [0, 0]]), [b * h, 1, w * factor, c]);
    return tf.reshape(tf.pad(wide, [[0, 0], [0, factor - 1], [0, 0], [0, 0]]), [b, h * factor, w * factor, c]);
  });
}

/** Output of {@link maxPoolWithSwitchesOp}. */
export interface PoolWithSwitches {
  /** `[B, ⌊H/size⌋, ⌊W/size⌋, C]`, differentiable: the gradient goes to each window's maximum. */
  output: tf.Tensor4D;
  /** `Int32Array [B·⌊H/size⌋·⌊W/size⌋·C]`, flat input index of each maximum (see `src/ops/max-unpool.ts`). */
  switches: Int32Array;
  /** Shape of the pooled input, the output shape of the matching {@link maxUnpoolOp}. */
  inputShape: [number, number, number, number];
}

/**
 * `size`×`size` / stride-`size` max pooling of `x [B, H, W, C]` that also returns the switches for
 * {@link maxUnpoolOp}. Ties go to the first maximum in row-major window order.
 */
export function maxPoolWithSwitchesOp(x: tf.Tensor4D, size: number): PoolWithSwitches {
  const inputShape = x.shape as [number, number, number, number];
  const pooled = maxPoolWithSwitches(x.dataSync() as Float32Array, inputShape, size);
  const op = tf.customGrad(((xt: tf.Tensor) => ({
    value: tf.tensor4d(pooled.output, pooled.shape as [number, number, number, number]),
    gradFunc: (dy: tf.Tensor) => tf.tensor4d(maxUnpool(dy.dataSync() as Float32Array, pooled.switches, inputShape), inputShape),
  })) as unknown as GradFunc);
  return { output: op(x) as tf.Tensor4D, switches: pooled.switches, inputShape };
}

/**
 * Max-unpooling of `values [B, h, w, C]` (shaped like the pooled map) to `outShape [B, H, W, C]` (the
 * pooled input's shape): each value is written at its switch, zeros elsewhere. Differentiable with
 * respect to `values` (the gradient reads the output gradient at the switches).
 */
export function maxUnpoolOp(values: tf.Tensor4D, switches: Int32Array, outShape: readonly [number, number, number, number]): tf.Tensor4D {
  const shape = [...outShape] as [number, number, number, number];
  const op = tf.customGrad(((v: tf.Tensor) => {
    const valueShape = v.shape as [number, number, number, number];
    return {
      value: tf.tensor4d(maxUnpool(v.dataSync() as Float32Array, switches, shape), shape),
      gradFunc: (dy: tf.Tensor) => tf.tensor4d(maxUnpoolBackward(dy.dataSync() as Float32Array, switches), valueShape),
    };
  }) as unknown as GradFunc);
  return op(values) as tf.Tensor4D;
}
