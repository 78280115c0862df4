import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { roiAlignOp, roiPoolOp } from '../../../src/models/detection/roi-align-op.js';
import { roiAlign } from '../../../src/roi/align.js';
import { roiPoolWithArgmax } from '../../../src/roi/pool.js';
import { mulberry32 } from '../../../src/util/random.js';

const shape: [number, number, number, number] = [2, 6, 7, 3];
const random = mulberry32(11);
const features = Float32Array.from({ length: 2 * 6 * 7 * 3 }, () => random() * 2 - 1);
const rois = Float32Array.from([0, 3.2, 4.1, 30.5, 20.7, 1, 0, 0, 27.9, 23.9, 1, 10.3, 2.2, 18.8, 40.1]);
const weights = Float32Array.from({ length: 3 * 2 * 2 * 3 }, () => random());
const align = { outHeight: 2, outWidth: 2, spatialScale: 0.25, samplingRatio: 2, aligned: true };

/** Σ weights · op(features) in double precision, for finite differences. */
function objective(values: Float32Array, op: (f: Float32Array) => Float32Array): number {
  const out = op(values);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += weights[i] * out[i];
  return s;
}

test('roiAlignOp: forward equals roiAlign; gradient equals central finite differences of Σ w · output', async () => {
  await initEngine();
  const forward = tf.tidy(() => roiAlignOp(tf.tensor4d(features, shape), rois, align).dataSync());
  assert.deepEqual(Array.from(forward), Array.from(roiAlign(features, shape, rois, align)));
  const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(roiAlignOp(x as tf.Tensor4D, rois, align), tf.tensor4d(weights, [3, 2, 2, 3]))))(tf.tensor4d(features, shape)).dataSync());
  const h = 1e-2;
  for (let i = 0; i < features.length; i += 5) {
    const plus = features.slice(), minus = features.slice();
    plus[i] += h;
    minus[i] -= h;
    const numeric = (objective(plus, (f) => roiAlign(f, shape, rois, align)) - objective(minus, (f) => roiAlign(f, shape, rois, align))) / (2 * h);
    assert.ok(Math.abs(grad[i] - numeric) < 1e-3, `element ${i}: ${grad[i]} vs ${numeric}`);
  }
});

test('roiPoolOp: forward equals roiPool; gradient is the output gradient routed to each bin maximum (naive)', async () => {
  await initEngine();
  const pool = { outHeight: 2, outWidth: 2, spatialScale: 0.25 };
  const { output, argmax } = roiPoolWithArgmax(features, shape, rois, pool);
  const forward = tf.tidy(() => roiPoolOp(tf.tensor4d(features, shape), rois, pool).dataSync());
  assert.deepEqual(Array.from(forward), Array.from(output));
  const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(roiPoolOp(x as tf.Tensor4D, rois, pool), tf.tensor4d(weights, [3, 2, 2, 3]))))(tf.tensor4d(features, shape)).dataSync());
  const expected = new Float64Array(features.length);
  for (let i = 0; i < argmax.length; i++) if (argmax[i] >= 0) expected[argmax[i]] += weights[i];
  for (let i = 0; i < features.length; i++) assert.ok(Math.abs(grad[i] - expected[i]) < 1e-6, `element ${i}`);
});
