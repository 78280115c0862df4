import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { pickRows } from '../../../src/models/detr/pick-rows.js';

test('pickRows: the chosen rows (repeats allowed) by a plain loop; the gradient adds each picked row\'s upstream into its source row', async () => {
  await initEngine();
  const m = 5, d = 3, rows = [4, 0, 4, 2];
  const values = Float32Array.from({ length: m * d }, (_, i) => Math.sin(i + 1));
  const weights = Float32Array.from({ length: rows.length * d }, (_, i) => i + 1); // upstream gradient
  const x = tf.tensor2d(values, [m, d]);
  try {
    const got = tf.tidy(() => pickRows(x, rows).dataSync() as Float32Array);
    rows.forEach((r, k) => { for (let c = 0; c < d; c++) assert.ok(Math.abs(got[k * d + c] - values[r * d + c]) < 1e-6, `row ${k} col ${c}`); });
    const grad = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pickRows(v as tf.Tensor2D, rows), tf.tensor2d(weights, [rows.length, d]))))(x).dataSync() as Float32Array);
    const want = new Float32Array(m * d);
    rows.forEach((r, k) => { for (let c = 0; c < d; c++) want[r * d + c] += weights[k * d + c]; });
    want.forEach((w, i) => assert.ok(Math.abs(grad[i] - w) < 1e-5, `gradient ${i}: ${grad[i]} vs ${w}`));
  } finally {
    x.dispose();
  }
});
