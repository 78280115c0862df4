import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { selectiveSearchProposals } from '../../../src/models/detection/selective-search-proposals.js';
import { syntheticDetectionSet } from '../../../src/models/detection/synthetic-data.js';
import { RCNN } from '../../../src/models/rcnn/rcnn.js';
import { assertOverfitsOnProposals } from '../detection/overfit-helpers.js';

test('R-CNN warp: a crop of whole pixels at the warp size is the image cut out exactly', async () => {
  await initEngine();
  const model = new RCNN({ warpSize: 8, backbone: { widths: [4] , extraConvsPerStage: 0 } });
  const pixels = Float32Array.from({ length: 16 * 16 * 3 }, (_, i) => (i * 7919) % 101);
  const crops = tf.tidy(() => model.warp(pixels, [1, 16, 16, 3], [Float32Array.from([3, 5, 11, 13])]).dataSync());
  // aligned RoI Align, 1×1-pixel bins, adaptive sampling: one sample per bin, at the pixel's centre,
  // which reads that pixel alone: the crop is the 8×8 block of pixels from (3, 5), exactly.
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) for (let c = 0; c < 3; c++) {
    assert.equal(crops[(y * 8 + x) * 3 + c], pixels[((5 + y) * 16 + 3 + x) * 3 + c], `(${x}, ${y}, ${c})`);
  }
  // a 2× shrink averages the 2×2 samples of each bin; at pixel centres these are the 4 pixels
  const half = tf.tidy(() => model.warp(pixels, [1, 16, 16, 3], [Float32Array.from([0, 0, 16, 16])]).dataSync());
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
    const at = (yy: number, xx: number) => pixels[(yy * 16 + xx) * 3];
    const expected = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
    assert.ok(Math.abs(half[(y * 8 + x) * 3] - expected) < 1e-4, `shrink (${x}, ${y})`);
  }
  model.dispose();
});

test('R-CNN overfits one image on its selective-search proposals: losses drop, every object found with its class', async () => {
  await initEngine();
  const [d] = syntheticDetectionSet(15, 1, { size: 64, minObjects: 2, maxObjects: 2, smallFraction: 0 });
  const proposals = [selectiveSearchProposals(d.sample.image, 64, 64, { mode: 'fast' })];
  const model = new RCNN({ seed: 6, warpSize: 32, backbone: { widths: [8, 16, 32] }, representationSize: 64, batchSizePerImage: 48 });
  assertOverfitsOnProposals(model, d, proposals, 60);
});

test('R-CNN head: the crop features are max-pooled k×k (pool5) before the FC head, as a naive loop does', async () => {
  await initEngine();
  // warp 64, stride 4 → a 16×16 map, head pool 4 → 4×4 windows
  const model = new RCNN({ seed: 3, warpSize: 64, headPoolSize: 4, backbone: { widths: [4, 6] }, representationSize: 8 });
  assert.equal(model.headPoolWindow, 4);
  const crops = tf.tidy(() => tf.randomNormal([3, 64, 64, 3], 0, 1, 'float32', 11) as tf.Tensor4D);
  const features = model.backbone.model.apply(crops, { training: false }) as tf.Tensor4D; // [3, 16, 16, 6]
  const f = features.dataSync() as Float32Array;
  const pooled = new Float32Array(3 * 4 * 4 * 6);
  for (let b = 0; b < 3; b++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 6; c++) {
    let best = -Infinity;
    for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) best = Math.max(best, f[((b * 16 + 4 * y + dy) * 16 + 4 * x + dx) * 6 + c]);
    pooled[((b * 4 + y) * 4 + x) * 6 + c] = best;
  }
  const [expectedLogits, expectedDeltas] = tf.tidy(() => (model.head.apply(tf.tensor4d(pooled, [3, 4, 4, 6])) as tf.Tensor[]).map((t) => t.dataSync()));
  const [logits, deltas] = tf.tidy(() => model.classifyCrops(crops).map((t) => t.dataSync()));
  assert.equal(logits.length, 3 * 4);
  assert.equal(deltas.length, 3 * 16);
  logits.forEach((v, i) => assert.ok(Math.abs(v - expectedLogits[i]) < 1e-5, `logit ${i}`));
  deltas.forEach((v, i) => assert.ok(Math.abs(v - expectedDeltas[i]) < 1e-5, `delta ${i}`));
  tf.dispose([crops, features]);
  model.dispose();
});

test('R-CNN options: warps default to 128 px (head pool 8 on the 16×16 map); a warp off the stride or a head pool that does not divide the map is refused', async () => {
  await initEngine();
  const model = new RCNN();
  assert.equal(model.warpSize, 128);
  assert.equal(model.headPoolWindow, 2);
  assert.deepEqual(model.head.inputs[0].shape, [null, 8, 8, 64]);
  model.dispose();
  assert.throws(() => new RCNN({ warpSize: 36 }), /warpSize 36 is not a multiple of the backbone stride 8/);
  assert.throws(() => new RCNN({ warpSize: 64, headPoolSize: 3 }), /headPoolSize 3 does not divide the crop's 8×8 feature map/);
});
