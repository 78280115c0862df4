import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { selectiveSearchProposals } from '../../../src/models/detection/selective-search-proposals.js';
import { imagesToTensor, syntheticDetectionSet } from '../../../src/models/detection/synthetic-data.js';
import { RCNN } from '../../../src/models/rcnn/rcnn.js';
import { everyObjectFound } from '../detection/overfit-helpers.js';

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
  const proposals = [selectiveSearchProposals(d.sample.image, 64, 64)];
  const model = new RCNN({ seed: 6, backbone: { widths: [8, 16, 32] }, representationSize: 64, batchSizePerImage: 48 });
  const images = imagesToTensor([d.sample.image], 64, 64);
  const optimizer = tf.train.adam(3e-3);
  const history = Array.from({ length: 60 }, () => model.trainStep(optimizer, images, [d.target], proposals));
  const last = history.slice(-10).reduce((s, h) => s + h.loss, 0) / 10;
  assert.ok(last < 0.3 * history[0].loss, `loss ${history[0].loss} → ${last}`);
  const [det] = model.predict(images, proposals);
  assert.ok(everyObjectFound(d.target, det, 0.6, 0.5));
  optimizer.dispose();
  images.dispose();
  model.dispose();
});
