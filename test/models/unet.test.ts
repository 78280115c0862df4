import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/setup.js';
import { buildUNet } from '../../src/models/unet/unet.js';
import { sigmoidCrossEntropy, softmaxCrossEntropy } from '../../src/models/losses.js';
import { discBatch, overfit } from '../engine/synthetic.js';
import { mulberry32 } from '../../src/util/random.js';

/** Parameters of a U-Net counted by hand from the architecture: 3×3 convs, 2×2 transposed convs, 1×1 head. */
function unetParameterCount(cin: number, cout: number, depth: number, width: number): number {
  const conv = (k: number, a: number, b: number) => k * k * a * b + b;
  let total = 0;
  let c = cin;
  for (let l = 0; l < depth; l++) {
    total += conv(3, c, width << l) + conv(3, width << l, width << l);
    c = width << l;
  }
  total += conv(3, c, width << depth) + conv(3, width << depth, width << depth);
  for (let l = depth - 1; l >= 0; l--) {
    total += conv(2, width << (l + 1), width << l); // transposed conv
    total += conv(3, 2 * (width << l), width << l) + conv(3, width << l, width << l);
  }
  return total + conv(1, width, cout);
}

test('the benchmark U-Net (16-32-64-128) has 481,745 parameters, as counted by hand', async () => {
  await initEngine();
  const model = buildUNet();
  assert.equal(unetParameterCount(1, 1, 3, 16), 481745);
  assert.equal(model.countParams(), 481745);
  model.dispose();
});

test('U-Net output shapes: [B, H, W, Cin] → [B, H, W, Cout] for several depths and widths', async () => {
  await initEngine();
  for (const [depth, width, cin, cout, size] of [[1, 4, 1, 1, 8], [2, 8, 3, 4, 16], [3, 4, 2, 2, 24]]) {
    const model = buildUNet({ depth, baseWidth: width, inChannels: cin, outChannels: cout, seed: 1 });
    assert.equal(model.countParams(), unetParameterCount(cin, cout, depth, width));
    const y = tf.tidy(() => (model.predict(tf.zeros([2, size, size, cin])) as tf.Tensor).shape);
    assert.deepEqual(y, [2, size, size, cout]);
    model.dispose();
  }
});

test('U-Net with batch norm: forward in training and inference mode, same shapes', async () => {
  await initEngine();
  const model = buildUNet({ depth: 2, baseWidth: 4, batchNorm: true, seed: 2 });
  const x = tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 3);
  assert.deepEqual((model.apply(x, { training: true }) as tf.Tensor).shape, [2, 16, 16, 1]);
  assert.deepEqual((model.predict(x) as tf.Tensor).shape, [2, 16, 16, 1]);
  model.dispose();
});

test('the same seed gives the same initial weights; another seed different ones', async () => {
  await initEngine();
  const a = buildUNet({ depth: 1, baseWidth: 4, seed: 7 }).getWeights()[0].dataSync();
  const b = buildUNet({ depth: 1, baseWidth: 4, seed: 7 }).getWeights()[0].dataSync();
  const c = buildUNet({ depth: 1, baseWidth: 4, seed: 8 }).getWeights()[0].dataSync();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('a tiny U-Net overfits a tiny synthetic batch: sigmoid cross-entropy drops ×10', async () => {
  await initEngine();
  const model = buildUNet({ depth: 2, baseWidth: 8, seed: 4 });
  const batch = discBatch(mulberry32(1), 2, 16);
  const { first, last } = overfit(model, batch.x, batch.y, sigmoidCrossEntropy, 150, 1e-2);
  assert.ok(last * 10 <= first, `loss ${first} → ${last}`);
  model.dispose();
});

test('a tiny 3-class U-Net overfits with softmax cross-entropy (×10)', async () => {
  await initEngine();
  const model = buildUNet({ depth: 1, baseWidth: 8, outChannels: 3, seed: 5 });
  const { x, y } = discBatch(mulberry32(2), 2, 8);
  // classes: background, disc, and the top-left quadrant of the background
  const target = tf.tidy(() => {
    const quadrant = tf.tensor4d(Array.from({ length: 64 }, (_, k) => (Math.floor(k / 8) < 4 && k % 8 < 4 ? 1 : 0)), [1, 8, 8, 1]).tile([2, 1, 1, 1]);
    const third = quadrant.mul(tf.sub(1, y));
    return tf.concat([tf.sub(1, y).sub(third), y, third], -1);
  });
  const { first, last } = overfit(model, x, target, softmaxCrossEntropy, 150, 1e-2);
  assert.ok(last * 10 <= first, `loss ${first} → ${last}`);
  model.dispose();
});

test('seed 0 is a real seed: two U-Nets built with the default seed have the same weights, and Math.random is never consulted', async () => {
  await initEngine();
  const random = Math.random;
  let calls = 0;
  Math.random = () => {
    calls++;
    return random();
  };
  let a: tf.LayersModel, b: tf.LayersModel;
  try {
    a = buildUNet({ depth: 2, baseWidth: 4, inputSize: [16, 16] });
    b = buildUNet({ depth: 2, baseWidth: 4, inputSize: [16, 16], seed: 0 });
  } finally {
    Math.random = random;
  }
  assert.equal(calls, 0);
  const wa = a.getWeights(), wb = b.getWeights();
  assert.equal(wa.length, wb.length);
  for (let i = 0; i < wa.length; i++) assert.deepEqual(wa[i].dataSync(), wb[i].dataSync(), a.weights[i].name);
  const c = buildUNet({ depth: 2, baseWidth: 4, inputSize: [16, 16], seed: 1 });
  assert.notDeepEqual(c.getWeights()[0].dataSync(), wa[0].dataSync());
  for (const m of [a, b, c]) m.dispose();
});
