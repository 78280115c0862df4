import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { smoothL1Sum } from '../../../src/models/detection/smooth-l1.js';
import { mulberry32 } from '../../../src/util/random.js';

/** Smooth L1 of one difference, by the piecewise formula. */
function formula(d: number, beta: number): number {
  const a = Math.abs(d);
  return beta > 0 && a < beta ? (0.5 * a * a) / beta : a - 0.5 * beta;
}

test('smooth L1 sum equals the piecewise formula (β = 1/9, 1, 0), with and without weights', async () => {
  await initEngine();
  const random = mulberry32(3);
  const x = Array.from({ length: 40 }, () => 4 * (random() - 0.5));
  const y = Array.from({ length: 40 }, () => 2 * (random() - 0.5));
  const w = Array.from({ length: 40 }, () => (random() < 0.5 ? 0 : 1));
  for (const beta of [1 / 9, 1, 0]) {
    let expected = 0, expectedWeighted = 0;
    for (let i = 0; i < 40; i++) {
      expected += formula(x[i] - y[i], beta);
      expectedWeighted += w[i] * formula(x[i] - y[i], beta);
    }
    const got = tf.tidy(() => smoothL1Sum(tf.tensor2d(x, [10, 4]), tf.tensor2d(y, [10, 4]), beta).dataSync()[0]);
    const gotWeighted = tf.tidy(() => smoothL1Sum(tf.tensor2d(x, [10, 4]), tf.tensor2d(y, [10, 4]), beta, tf.tensor2d(w, [10, 4])).dataSync()[0]);
    assert.ok(Math.abs(got - expected) < 1e-4 * Math.max(1, expected), `β ${beta}: ${got} vs ${expected}`);
    assert.ok(Math.abs(gotWeighted - expectedWeighted) < 1e-4 * Math.max(1, expectedWeighted), `β ${beta} weighted`);
  }
  // hand-worked: β = 1, d = 0.5 → 0.125; d = −2 → 1.5
  assert.ok(Math.abs(tf.tidy(() => smoothL1Sum(tf.tensor1d([0.5, -2]), tf.tensor1d([0, 0]), 1).dataSync()[0]) - 1.625) < 1e-6);
});

test('smooth L1 gradient is clip(d / β, −1, 1) (the derivative of the formula)', async () => {
  await initEngine();
  const d = [-3, -0.2, -0.05, 0.03, 0.1, 0.5, 2];
  const beta = 0.25;
  const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => smoothL1Sum(x, tf.zerosLike(x), beta))(tf.tensor1d(d)).dataSync());
  d.forEach((v, i) => assert.ok(Math.abs(grad[i] - Math.max(-1, Math.min(1, v / beta))) < 1e-6, `d = ${v}`));
});
