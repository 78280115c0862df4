import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { clipByGlobalNorm } from '../../../src/models/detr/clip-by-global-norm.js';

test('clipping by global norm, by hand: ‖(3, 4), (12)‖ = 13 → scaled by 1.3/13; under the limit: unchanged', async () => {
  await initEngine();
  const grads = { a: tf.tensor1d([3, 4]), b: tf.tensor1d([12]) };
  const clipped = clipByGlobalNorm(grads, 1.3);
  assert.ok(Math.abs(clipped.norm - 13) < 1e-5);
  assert.deepEqual(Array.from(clipped.grads.a.dataSync(), (v) => +v.toFixed(5)), [0.3, 0.4]);
  assert.deepEqual(Array.from(clipped.grads.b.dataSync(), (v) => +v.toFixed(5)), [1.2]);
  const loose = clipByGlobalNorm(grads, 20);
  assert.deepEqual(Array.from(loose.grads.a.dataSync()), [3, 4]);
  tf.dispose([grads, clipped.grads, loose.grads]);
});
