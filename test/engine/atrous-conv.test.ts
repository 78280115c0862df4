import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { atrousConv2d } from '../../src/engine/atrous-conv.js';
import { initEngine } from '../../src/engine/setup.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { conv2d } from '../helpers/conv2d.js';
import { checkFiniteDifferences } from '../ops/gradient-check.js';
import { onBothBackends, randomNormal, relativeError } from './backends.js';

type Shape4 = [number, number, number, number];
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

// Odd and even sizes, sizes smaller than the dilated kernel, rates 1–6, 1×1 / 3×3 / 5×3 kernels.
const CASES: Array<{ x: Shape4; f: Shape4; rate: number }> = [
  { x: [2, 9, 11, 3], f: [3, 3, 3, 4], rate: 2 },
  { x: [1, 8, 8, 2], f: [3, 3, 2, 3], rate: 3 },
  { x: [2, 7, 10, 4], f: [3, 3, 4, 2], rate: 6 },
  { x: [1, 12, 5, 2], f: [5, 3, 2, 2], rate: 2 },
  { x: [1, 6, 6, 3], f: [1, 1, 3, 2], rate: 4 },
  { x: [2, 5, 7, 2], f: [3, 3, 2, 2], rate: 1 },
];

test('atrousConv2d equals the naive dilated convolution and tfjs\' cpu dilated conv2d', async () => {
  for (const c of CASES) {
    const x = randomNormal(size(c.x), 1), f = randomNormal(size(c.f), 2);
    const naive = conv2d(x, c.x, f, c.f, { padding: 'same', dilations: c.rate }).data;
    const { cpu, wasm } = await onBothBackends(() => [atrousConv2d(tf.tensor4d(x, c.x), tf.tensor4d(f, c.f), c.rate), tf.conv2d(tf.tensor4d(x, c.x), tf.tensor4d(f, c.f), 1, 'same', 'NHWC', c.rate)]);
    const label = `${c.x} * ${c.f} rate ${c.rate}`;
    assert.ok(relativeError(wasm[0], naive) < 1e-5, `${label}: wasm vs naive ${relativeError(wasm[0], naive)}`);
    assert.ok(relativeError(cpu[0], naive) < 1e-5, `${label}: cpu vs naive`);
    assert.ok(relativeError(cpu[1], naive) < 1e-5, `${label}: tfjs cpu dilated conv2d vs naive`);
  }
});

test('atrousConv2d gradients (input and filter) equal finite differences of the naive dilated convolution', async () => {
  await initEngine();
  for (const c of [CASES[0], CASES[2], CASES[3]]) {
    const x = randomNormal(size(c.x), 3), f = randomNormal(size(c.f), 4);
    const outSize = size([...c.x.slice(0, 3), c.f[3]]);
    const w = randomNormal(outSize, 5);
    const naiveLoss = (xv: Float32Array, fv: Float32Array) => {
      const y = conv2d(xv, c.x, fv, c.f, { padding: 'same', dilations: c.rate }).data;
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * w[i];
      return s;
    };
    const [gx, gf] = tf.tidy(() => {
      const g = tf.grads((xt: tf.Tensor, ft: tf.Tensor) => tf.sum(tf.mul(tf.reshape(atrousConv2d(xt as tf.Tensor4D, ft as tf.Tensor4D, c.rate), [-1]), tf.tensor1d(w))));
      return g([tf.tensor4d(x, c.x), tf.tensor4d(f, c.f)]).map((t) => Float32Array.from(t.dataSync()));
    });
    const label = `${c.x} * ${c.f} rate ${c.rate}`;
    assert.ok(checkFiniteDifferences(x, (v) => naiveLoss(v, f), gx, 1e-2, 2e-3, `${label} dx`, 1e-3) > x.length / 2);
    assert.equal(checkFiniteDifferences(f, (v) => naiveLoss(x, v), gf, 1e-2, 5e-3, `${label} dfilter`, 1e-3), f.length);
  }
});

test('atrousConv2d rejects a bad rate or an even kernel with DetsegInputError', async () => {
  await initEngine();
  const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  assert.throws(() => atrousConv2d(x, tf.zeros([3, 3, 1, 1]) as tf.Tensor4D, 0), (e: Error) => e instanceof DetsegInputError && /rate/.test(e.message));
  assert.throws(() => atrousConv2d(x, tf.zeros([2, 2, 1, 1]) as tf.Tensor4D, 2), (e: Error) => e instanceof DetsegInputError && /odd kernel/.test(e.message));
});
