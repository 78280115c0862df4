import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { buildBackbone } from '../../../src/models/backbone/backbone.js';

/** Parameters counted by hand: per conv 9·Cin·Cout (no bias with batch norm) + 4·Cout for batch norm (γ, β, mean, variance). */
function backboneParameters(cin: number, widths: number[], extra: number): number {
  let total = 0, c = cin;
  for (const w of widths) {
    for (let k = 0; k <= extra; k++) {
      total += 9 * c * w + 4 * w;
      c = w;
    }
  }
  return total;
}

test('backbone: [B, H, W, 3] → [B, H/8, W/8, 64] with the default three stages; parameter count by hand', async () => {
  await initEngine();
  const b = buildBackbone({ seed: 1 });
  assert.equal(b.stride, 8);
  assert.equal(b.channels, 64);
  assert.equal(b.model.countParams(), backboneParameters(3, [16, 32, 64], 1));
  assert.equal(backboneParameters(3, [16, 32, 64], 1), 72752);
  const shape = tf.tidy(() => (b.model.predict(tf.zeros([2, 128, 96, 3])) as tf.Tensor).shape);
  assert.deepEqual(shape, [2, 16, 12, 64]);
  const four = buildBackbone({ widths: [8, 8, 16, 16], extraConvsPerStage: 0, name: 'other' });
  assert.equal(four.stride, 16);
  assert.equal(four.model.countParams(), backboneParameters(3, [8, 8, 16, 16], 0));
  b.model.dispose();
  four.model.dispose();
});

test('backbone with a top-down merge: stride halves, channels = topDownChannels; parameters by hand', async () => {
  await initEngine();
  const widths = [8, 16, 24];
  const d = 12;
  const b = buildBackbone({ widths, topDownChannels: d, seed: 3, name: 'td' });
  assert.equal(b.stride, 4);
  assert.equal(b.channels, d);
  // lateral 1×1 (16 → d, with bias), transposed 2×2 (24 → d, with bias), smoothing 3×3 (d → d, with bias)
  const extraParams = 16 * d + d + 4 * 24 * d + d + 9 * d * d + d;
  assert.equal(b.model.countParams(), backboneParameters(3, widths, 1) + extraParams);
  const shape = tf.tidy(() => (b.model.predict(tf.zeros([1, 64, 40, 3])) as tf.Tensor).shape);
  assert.deepEqual(shape, [1, 16, 10, d]);
  b.model.dispose();
});

test('backbone stages: one output per stage at stride 2^(s+1), the last equal to the feature map, weights shared with the model', async () => {
  await initEngine();
  const b = buildBackbone({ widths: [8, 16, 24], seed: 5, name: 'st' });
  const image = tf.randomNormal([1, 32, 48, 3], 0, 1, 'float32', 7);
  const outputs = b.stages.predict(image) as tf.Tensor[];
  assert.deepEqual(outputs.map((t) => t.shape), [[1, 16, 24, 8], [1, 8, 12, 16], [1, 4, 6, 24]]);
  const features = b.model.predict(image) as tf.Tensor;
  assert.deepEqual(Array.from(outputs[2].dataSync()), Array.from(features.dataSync()));
  // the same variables: changing one of the model's weights changes the stages' outputs
  const first = b.model.weights[0];
  first.write(tf.mul(first.read(), 2));
  const after = b.stages.predict(image) as tf.Tensor[];
  assert.notDeepEqual(Array.from(after[0].dataSync()), Array.from(outputs[0].dataSync()));
  tf.dispose([image, features, ...outputs, ...after]);
  b.model.dispose();
});
