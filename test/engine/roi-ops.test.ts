import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/setup.js';
import { roiAlignOp, roiPoolOp } from '../../src/engine/roi-ops.js';
import { roiAlign } from '../../src/roi/align.js';
import { roiPool } from '../../src/roi/pool.js';
import { randomNormal } from './backends.js';

const SHAPE: [number, number, number, number] = [2, 9, 11, 3];
const SIZE = SHAPE.reduce((a, b) => a * b);
// (batch, x1, y1, x2, y2) in image pixels at spatial scale 1/2: inside, overlapping the border, tiny.
const ROIS = Float32Array.of(0, 2, 3, 15, 14, 1, 0, 0, 21, 17, 1, 10.5, 4.2, 13.1, 6.9, 0, -3, -2, 6, 5);
const WEIGHTS_SEED = 77;

/** Σ w · op(x) in double precision, the scalar whose gradient is checked. */
function weightedSum(values: Float32Array, weights: Float32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * weights[i];
  return s;
}

function checkGradient(name: string, op: (x: tf.Tensor4D) => tf.Tensor4D, reference: (x: Float32Array) => Float32Array, h: number, tolerance: number): void {
  const x = randomNormal(SIZE, 5);
  const forward = tf.tidy(() => Float32Array.from(op(tf.tensor4d(x, SHAPE)).dataSync()));
  assert.deepEqual(forward, reference(x), `${name}: forward equals the typed-array kernel`);
  const w = randomNormal(forward.length, WEIGHTS_SEED);
  const grad = tf.tidy(() => Float32Array.from(tf.grad((xt: tf.Tensor) => op(xt as tf.Tensor4D).mul(tf.tensor(w, [forward.length]).reshape(op(xt as tf.Tensor4D).shape)).sum())(tf.tensor4d(x, SHAPE)).dataSync()));
  let maxErr = 0;
  let nonZero = 0;
  for (let i = 0; i < SIZE; i++) {
    const xp = Float32Array.from(x);
    const xm = Float32Array.from(x);
    xp[i] += h;
    xm[i] -= h;
    const fd = (weightedSum(reference(xp), w) - weightedSum(reference(xm), w)) / (xp[i] - xm[i]);
    maxErr = Math.max(maxErr, Math.abs(fd - grad[i]));
    if (grad[i] !== 0) nonZero++;
  }
  assert.ok(nonZero > 20, `${name}: gradient reaches ${nonZero} cells`);
  assert.ok(maxErr <= tolerance, `${name}: max |finite difference − gradient| = ${maxErr}`);
}

test('RoI Align op: forward equals src/roi, gradient equals central finite differences', async () => {
  await initEngine();
  for (const aligned of [true, false]) {
    for (const samplingRatio of [2, 0]) {
      const options = { outHeight: 3, outWidth: 4, spatialScale: 0.5, samplingRatio, aligned };
      checkGradient(`align aligned=${aligned} ratio=${samplingRatio}`, (x) => roiAlignOp(x, ROIS, options), (x) => roiAlign(x, SHAPE, ROIS, options), 1e-2, 1e-4);
    }
  }
});

test('RoI Pool op: forward equals src/roi, gradient equals central finite differences (no ties)', async () => {
  await initEngine();
  const options = { outHeight: 2, outWidth: 3, spatialScale: 0.5 };
  checkGradient('pool', (x) => roiPoolOp(x, ROIS, options), (x) => roiPool(x, SHAPE, ROIS, options).output, 1e-3, 1e-3);
});

test('the RoI ops accept the RoIs as a tensor and train a feature map through tf.grad', async () => {
  await initEngine();
  const rois = tf.tensor2d(ROIS, [4, 5]);
  const x = tf.tensor4d(randomNormal(SIZE, 9), SHAPE);
  const y = roiAlignOp(x, rois, { outHeight: 2, outWidth: 2, spatialScale: 0.5, samplingRatio: 2, aligned: true });
  assert.deepEqual(y.shape, [4, 2, 2, 3]);
  const g = tf.grad((t: tf.Tensor) => roiPoolOp(t as tf.Tensor4D, rois, { outHeight: 2, outWidth: 2, spatialScale: 0.5 }).sum())(x);
  assert.deepEqual(g.shape, SHAPE);
  // each of the 4·2·2·3 pooled values sends gradient 1 to one cell (bins may share cells)
  assert.equal(g.sum().dataSync()[0], 48);
  tf.dispose([rois, x, y, g]);
});
