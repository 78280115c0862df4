import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/setup.js';
import { bilinearUpsamplingKernel, buildFCN } from '../../src/models/fcn/fcn.js';
import { sigmoidCrossEntropy } from '../../src/models/losses.js';
import { discBatch, overfit } from '../engine/synthetic.js';
import { mulberry32 } from '../../src/util/random.js';

test('bilinear kernel for ×2 is the outer product of [1/4, 3/4, 3/4, 1/4], channel-diagonal', () => {
  const k = bilinearUpsamplingKernel(2, 2); // [4, 4, 2, 2]
  const oneD = [0.25, 0.75, 0.75, 0.25];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      assert.equal(k[((i * 4 + j) * 2 + 0) * 2 + 0], oneD[i] * oneD[j]);
      assert.equal(k[((i * 4 + j) * 2 + 1) * 2 + 1], oneD[i] * oneD[j]);
      assert.equal(k[((i * 4 + j) * 2 + 0) * 2 + 1], 0);
    }
  }
});

test('the bilinear ×2 up-sampling layer of FCN maps a constant map to the same constant inside', async () => {
  await initEngine();
  const model = buildFCN({ stages: 2, baseWidth: 4, outChannels: 1, skip: true, seed: 1 });
  const layer = model.getLayer('upsample2');
  const out = tf.tidy(() => (layer.apply(tf.fill([1, 4, 4, 1], 3)) as tf.Tensor).dataSync());
  // rows/cols 1..6 of the 8×8 output are away from the border: each gets 3·(Σ of two taps per axis = 1)
  for (let i = 1; i < 7; i++) for (let j = 1; j < 7; j++) assert.ok(Math.abs(out[i * 8 + j] - 3) < 1e-5, `(${i},${j}) = ${out[i * 8 + j]}`);
  model.dispose();
});

test('FCN-16s and FCN-32s output shapes: [B, H, W, Cin] → [B, H, W, K]', async () => {
  await initEngine();
  for (const skip of [true, false]) {
    const model = buildFCN({ stages: 3, baseWidth: 4, inChannels: 2, outChannels: 3, skip, seed: 2 });
    const shape = tf.tidy(() => (model.predict(tf.zeros([2, 24, 32, 2])) as tf.Tensor).shape);
    assert.deepEqual(shape, [2, 24, 32, 3]);
    model.dispose();
  }
});

test('a tiny FCN-16s lowers its loss on a tiny synthetic batch (×3 in 100 steps)', async () => {
  await initEngine();
  const model = buildFCN({ stages: 2, baseWidth: 8, seed: 3 });
  const batch = discBatch(mulberry32(3), 2, 16);
  const { first, last } = overfit(model, batch.x, batch.y, sigmoidCrossEntropy, 100, 1e-2);
  assert.ok(last * 3 <= first, `loss ${first} → ${last}`);
  model.dispose();
});
