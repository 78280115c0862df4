import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { layerNorm } from '../../../src/models/detr/layer-norm.js';

test('layer norm equals the hand formula: zero mean, unit variance per row, then γ and β', async () => {
  await initEngine();
  const x = [1, 2, 3, 6, -1, 0, 1, 0];
  const y = tf.tidy(() => layerNorm(tf.tensor2d(x, [2, 4]), tf.tensor1d([1, 2, 1, 1]), tf.tensor1d([0, 0, 1, 0])).dataSync());
  // Row 0: mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5; row 1: mean 0, variance .5.
  const want = [-2 / Math.sqrt(3.5 + 1e-5), (2 * -1) / Math.sqrt(3.5 + 1e-5), 1, 3 / Math.sqrt(3.5 + 1e-5), -1 / Math.sqrt(0.5 + 1e-5), 0, 1 + 1 / Math.sqrt(0.5 + 1e-5), 0];
  want.forEach((v, i) => assert.ok(Math.abs(y[i] - v) < 1e-5, `y[${i}] ${y[i]} vs ${v}`));
});
