import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { asppRates } from '../../../src/models/deeplab/aspp.js';
import { AtrousConv2D } from '../../../src/models/deeplab/atrous-conv-layer.js';
import { buildDeepLab } from '../../../src/models/deeplab/deeplab.js';
import { ImagePooling } from '../../../src/models/deeplab/image-pooling.js';
import { sigmoidCrossEntropy } from '../../../src/models/losses.js';
import { DetsegInputError } from '../../../src/util/errors.js';
import { mulberry32 } from '../../../src/util/random.js';
import { discBatch, overfit } from '../../engine/synthetic.js';
import { randomNormal, relativeError } from '../../engine/backends.js';
import { conv2d } from '../../helpers/conv2d.js';
import { checkFiniteDifferences } from '../../ops/gradient-check.js';

test('asppRates: the paper\'s 1, 6, 12, 18 on its 33×33 map, scaled to smaller maps', () => {
  assert.deepEqual(asppRates(33), [1, 6, 12, 18]);
  assert.deepEqual(asppRates(16), [1, 3, 6, 9]); // 6·16/33 = 2.91, 12·16/33 = 5.82, 18·16/33 = 8.73
  assert.deepEqual(asppRates(8), [1, 1, 3, 4]); // 1.45 → 1, 2.91 → 3, 4.36 → 4
  assert.throws(() => asppRates(0), DetsegInputError);
});

test('the AtrousConv2D layer equals the naive dilated convolution + bias + ReLU', async () => {
  await initEngine();
  const layer = new AtrousConv2D({ filters: 3, kernelSize: 3, rate: 3, useBias: true, relu: true, kernelInitializer: tf.initializers.heNormal({ seed: 5 }), name: 'a' });
  const xs = randomNormal(2 * 9 * 7 * 2, 6);
  const out = tf.tidy(() => Float32Array.from((layer.apply(tf.tensor4d(xs, [2, 9, 7, 2])) as tf.Tensor).dataSync()));
  const [kernel, bias] = layer.getWeights();
  const bv = Float32Array.from(randomNormal(3, 7));
  layer.setWeights([kernel, tf.tensor1d(bv)]);
  const out2 = tf.tidy(() => Float32Array.from((layer.apply(tf.tensor4d(xs, [2, 9, 7, 2])) as tf.Tensor).dataSync()));
  const conv = conv2d(xs, [2, 9, 7, 2], kernel.dataSync() as Float32Array, [3, 3, 2, 3], { padding: 'same', dilations: 3 }).data;
  assert.ok(relativeError(out, conv.map((v) => Math.max(v, 0))) < 1e-5);
  assert.ok(relativeError(out2, conv.map((v, i) => Math.max(v + bv[i % 3], 0))) < 1e-5);
  bias.dispose();
});

test('ImagePooling: relu(mean over positions · W + b) at every position; its gradient equals finite differences', async () => {
  await initEngine();
  const layer = new ImagePooling(2, tf.initializers.heNormal({ seed: 3 }), 'p');
  const shape: [number, number, number, number] = [2, 3, 4, 3];
  const xs = randomNormal(72, 8);
  const apply = (v: Float32Array) => tf.tidy(() => Float32Array.from((layer.apply(tf.tensor4d(v, shape)) as tf.Tensor).dataSync()));
  const out = apply(xs);
  layer.setWeights([layer.getWeights()[0], tf.tensor1d([0.3, -0.1])]);
  const out2 = apply(xs);
  const k = layer.getWeights()[0].dataSync();
  for (let b = 0; b < 2; b++) {
    for (let o = 0; o < 2; o++) {
      let s = [0.3, -0.1][o];
      for (let ci = 0; ci < 3; ci++) {
        let mean = 0;
        for (let p = 0; p < 12; p++) mean += xs[(b * 12 + p) * 3 + ci] / 12;
        s += mean * k[ci * 2 + o];
      }
      for (let p = 0; p < 12; p++) assert.ok(Math.abs(out2[(b * 12 + p) * 2 + o] - Math.max(s, 0)) < 1e-5);
    }
  }
  assert.equal(out.length, 48);
  const w = randomNormal(48, 9);
  const loss = (v: Float32Array) => apply(v).reduce((a, y, i) => a + y * w[i], 0);
  const grad = tf.tidy(() => Float32Array.from(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.reshape(layer.apply(t) as tf.Tensor, [-1]), tf.tensor1d(w))))(tf.tensor4d(xs, shape)).dataSync()));
  assert.ok(checkFiniteDifferences(xs, loss, grad, 1e-2, 1e-3, 'image pooling dx', 1e-6) > 0);
});

test('DeepLab: [B, H, W, Cin] → [B, H, W, K] for sizes divisible by 8, default rates scaled for 128² crops', async () => {
  await initEngine();
  const model = buildDeepLab({ inChannels: 2, outChannels: 3, baseWidth: 4, asppChannels: 8, seed: 1 });
  const shape = tf.tidy(() => (model.predict(tf.zeros([2, 32, 48, 2])) as tf.Tensor).shape);
  assert.deepEqual(shape, [2, 32, 48, 3]);
  assert.deepEqual([1, 2, 3].map((i) => model.getLayer(`aspp_b${i}`).getConfig().rate), [3, 6, 9]);
  // parameters, counted by hand: backbone conv blocks, dilated stage, ASPP, decoder
  const conv = (k: number, ci: number, co: number) => k * k * ci * co + co;
  const expected = conv(3, 2, 4) + conv(3, 4, 4) + conv(3, 4, 8) + conv(3, 8, 8) + conv(3, 8, 16) + conv(3, 16, 16) + conv(3, 16, 32) + conv(3, 32, 32)
    + 2 * conv(3, 32, 32)
    + conv(1, 32, 8) + 3 * conv(3, 32, 8) + conv(1, 32, 8) + conv(1, 40, 8)
    + conv(1, 16, 8) + conv(3, 16, 8) + conv(3, 8, 8) + conv(1, 8, 3);
  assert.equal(model.countParams(), expected);
  model.dispose();
  assert.throws(() => buildDeepLab({ inputSize: [36, 36] }), (e: Error) => e instanceof DetsegInputError && /inputSize/.test(e.message));
});

test('a tiny DeepLab lowers its loss on a tiny synthetic batch (×3 in 80 steps)', async () => {
  await initEngine();
  const model = buildDeepLab({ baseWidth: 4, asppChannels: 8, lowLevelChannels: 4, rates: [1, 1, 2, 3], seed: 3 });
  const batch = discBatch(mulberry32(3), 2, 32);
  const { first, last } = overfit(model, batch.x, batch.y, sigmoidCrossEntropy, 80, 1e-2);
  assert.ok(last * 3 <= first, `loss ${first} → ${last}`);
  model.dispose();
});
