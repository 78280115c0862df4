import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { imagesToTensor, syntheticDetectionSet } from '../../../src/models/detection/synthetic-data.js';
import { ssdDefaultBoxes } from '../../../src/models/ssd/default-boxes.js';
import { SSD } from '../../../src/models/ssd/ssd.js';
import { everyObjectFound } from '../detection/overfit-helpers.js';

test('SSD overfits two synthetic images: the loss drops tenfold and every object is detected with its class', async () => {
  await initEngine();
  const data = syntheticDetectionSet(7, 2, { size: 64, minObjects: 1, maxObjects: 2, smallFraction: 0 });
  const model = new SSD({ seed: 3, backbone: { widths: [8, 16, 32] }, featureStages: [1, 2], extraLayers: 1, extraWidth: 32, sMin: 0.2, sMax: 0.8 });
  const images = imagesToTensor(data.map((d) => d.sample.image), 64, 64);
  const targets = data.map((d) => d.target);
  const optimizer = tf.train.adam(3e-3);
  const history: Array<Record<string, number>> = [];
  try {
    assert.equal(model.stride, 16);
    for (let step = 0; step < 70; step++) history.push(model.trainStep(optimizer, images, targets));
    const meanLast = history.slice(-10).reduce((s, h) => s + h.loss, 0) / 10;
    assert.ok(meanLast < 0.1 * history[0].loss, `loss ${history[0].loss} → ${meanLast}`);
    const detections = model.predict(images);
    data.forEach((d, b) => {
      assert.ok(everyObjectFound(d.target, detections[b], 0.5, 0.5), `image ${b}: every object found with IoU ≥ 0.5 and score ≥ 0.5`);
      assert.ok(detections[b].scores[0] >= 0.5);
    });
  } finally {
    optimizer.dispose();
    images.dispose();
    model.dispose();
  }
});

test('SSD forward: the feature maps it reports are the stride-4, stride-8 stages and one extra stride-2 stage, and its default boxes are those maps\' ssdDefaultBoxes', async () => {
  await initEngine();
  const options = { seed: 3, backbone: { widths: [8, 16, 32] }, featureStages: [1, 2], extraLayers: 1, extraWidth: 32, sMin: 0.2, sMax: 0.8 };
  const model = new SSD(options);
  const images = tf.zeros([1, 64, 48, 3]) as tf.Tensor4D;
  try {
    const { logits, deltas, defaults, maps } = model.forward(images, false);
    assert.deepEqual(maps, [[16, 12], [8, 6], [4, 3]]); // 64×48 / 4, / 8, / 16
    assert.deepEqual(model.featureMapSizes(64, 48), maps, 'the sizes the exported graph\'s post-processing lays its default boxes on');
    assert.deepEqual([...defaults], [...ssdDefaultBoxes([[16, 12], [8, 6], [4, 3]], 48, 64, options)]);
    assert.deepEqual(logits.shape, [1, (16 * 12 + 8 * 6 + 4 * 3) * 6, 4]);
    tf.dispose([logits, deltas]);
  } finally {
    images.dispose();
    model.dispose();
  }
});

test('SSD featureMapSizes: a backbone stage alone and two extra stages on odd sides, as forward finds them (\'same\' stride-2 convolutions round up)', async () => {
  await initEngine();
  const model = new SSD({ seed: 1, backbone: { widths: [8, 16] }, featureStages: [0], extraLayers: 2, extraWidth: 8 });
  const images = tf.zeros([1, 40, 24, 3]) as tf.Tensor4D;
  try {
    const { logits, deltas, maps } = model.forward(images, false);
    assert.deepEqual(maps, [[20, 12], [5, 3], [3, 2]]); // stage 0: / 2; the extras continue from stage 1 (10 × 6)
    assert.deepEqual(model.featureMapSizes(40, 24), maps);
    tf.dispose([logits, deltas]);
  } finally {
    images.dispose();
    model.dispose();
  }
});
