import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { depthwiseConv2dSame } from '../../src/engine/depthwise-conv.js';
import { initEngine } from '../../src/engine/setup.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { checkFiniteDifferences } from '../ops/gradient-check.js';
import { onBothBackends, randomNormal, relativeError } from './backends.js';

type Shape4 = [number, number, number, number];
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Naive loop: each channel convolved with its own k×k filter, zero padding, stride 1. */
function naiveDepthwise(x: Float32Array, [b, h, w, c]: Shape4, f: Float32Array, kh: number, kw: number): Float32Array {
  const out = new Float32Array(b * h * w * c);
  for (let n = 0; n < b; n++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const yy = y + i - (kh - 1) / 2, xj = xx + j - (kw - 1) / 2;
      if (yy >= 0 && yy < h && xj >= 0 && xj < w) s += f[(i * kw + j) * c + ch] * x[((n * h + yy) * w + xj) * c + ch];
    }
    out[((n * h + y) * w + xx) * c + ch] = s;
  }
  return out;
}

const CASES: Array<{ x: Shape4; k: [number, number] }> = [
  { x: [2, 7, 9, 4], k: [3, 3] },
  { x: [1, 5, 6, 3], k: [5, 3] },
  { x: [2, 4, 4, 8], k: [1, 1] },
];

test('depthwiseConv2dSame equals the naive loop on wasm and cpu; its gradients equal the cpu backend\'s and finite differences', async () => {
  for (const c of CASES) {
    const [kh, kw] = c.k;
    const fShape: Shape4 = [kh, kw, c.x[3], 1];
    const x = randomNormal(size(c.x), 1), f = randomNormal(size(fShape), 2);
    const w = randomNormal(size(c.x), 3);
    const naive = naiveDepthwise(x, c.x, f, kh, kw);
    const loss = (op: typeof depthwiseConv2dSame) => (xt: tf.Tensor, ft: tf.Tensor) => tf.sum(tf.mul(tf.reshape(op(xt as tf.Tensor4D, ft as tf.Tensor4D), [-1]), tf.tensor1d(w)));
    // ours on both backends, and tfjs' own depthwise conv with its gradient kernels on cpu
    const native = (xt: tf.Tensor4D, ft: tf.Tensor4D) => tf.depthwiseConv2d(xt, ft, 1, 'same');
    const { cpu, wasm } = await onBothBackends(() => [depthwiseConv2dSame(tf.tensor4d(x, c.x), tf.tensor4d(f, fShape)), ...tf.grads(loss(depthwiseConv2dSame))([tf.tensor4d(x, c.x), tf.tensor4d(f, fShape)])]);
    await tf.setBackend('cpu');
    const reference = tf.tidy(() => tf.grads(loss(native))([tf.tensor4d(x, c.x), tf.tensor4d(f, fShape)]).map((t) => Float32Array.from(t.dataSync())));
    await tf.setBackend('wasm');
    const label = `${c.x} k ${c.k}`;
    for (const [name, out] of [['cpu', cpu], ['wasm', wasm]] as const) {
      assert.ok(relativeError(out[0], naive) < 1e-5, `${label} ${name} forward`);
      assert.ok(relativeError(out[1], reference[0]) < 1e-5, `${label} ${name} dx vs tfjs cpu`);
      assert.ok(relativeError(out[2], reference[1]) < 1e-5, `${label} ${name} dfilter vs tfjs cpu`);
    }
    const naiveLoss = (xv: Float32Array, fv: Float32Array) => naiveDepthwise(xv, c.x, fv, kh, kw).reduce((a, v, i) => a + v * w[i], 0);
    checkFiniteDifferences(f, (v) => naiveLoss(x, v), wasm[2], 1e-2, 2e-3, `${label} dfilter`);
    checkFiniteDifferences(x.subarray(0, 40), (v) => naiveLoss(Float32Array.from([...v, ...x.subarray(40)]), f), wasm[1], 1e-2, 2e-3, `${label} dx`);
  }
});

test('depthwiseConv2dSame rejects an even kernel or a channel mismatch', async () => {
  await initEngine();
  const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
  assert.throws(() => depthwiseConv2dSame(x, tf.zeros([2, 2, 2, 1]) as tf.Tensor4D), DetsegInputError);
  assert.throws(() => depthwiseConv2dSame(x, tf.zeros([3, 3, 3, 1]) as tf.Tensor4D), DetsegInputError);
});
