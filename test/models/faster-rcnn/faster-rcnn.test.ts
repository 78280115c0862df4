import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { imagesToTensor, syntheticDetectionSet } from '../../../src/models/detection/synthetic-data.js';
import { FasterRCNN } from '../../../src/models/faster-rcnn/faster-rcnn.js';
import { iouPair } from '../../../src/boxes/iou.js';

/** A small Faster R-CNN for tests (narrow backbone, few proposals and RoIs). */
function tinyModel(seed: number): FasterRCNN {
  return new FasterRCNN({
    seed,
    backbone: { widths: [8, 16, 32] },
    representationSize: 64,
    rpn: { batchSizePerImage: 128, preNmsTopNTrain: 300, postNmsTopNTrain: 100, preNmsTopNTest: 300, postNmsTopNTest: 50 },
    roiHeads: { batchSizePerImage: 64 },
  });
}

test('Faster R-CNN overfits two synthetic images: the four losses drop and the predictions find every object with its class', async () => {
  await initEngine();
  const data = syntheticDetectionSet(7, 2, { size: 64, minObjects: 1, maxObjects: 2, smallFraction: 0 });
  const model = tinyModel(3);
  const images = imagesToTensor(data.map((d) => d.sample.image), 64, 64);
  const targets = data.map((d) => d.target);
  const optimizer = tf.train.adam(3e-3);
  const history: Array<Record<string, number>> = [];
  for (let step = 0; step < 80; step++) history.push(model.trainStep(optimizer, images, targets));
  const first = history[0], last = history.slice(-10);
  const meanLast = (k: string) => last.reduce((s, h) => s + h[k], 0) / last.length;
  for (const k of ['loss_objectness', 'loss_classifier', 'loss']) assert.ok(meanLast(k) < 0.35 * first[k], `${k}: ${first[k]} → ${meanLast(k)}`);
  assert.ok(meanLast('loss_rpn_box_reg') < first.loss_rpn_box_reg, 'loss_rpn_box_reg drops');
  assert.ok(meanLast('loss_box_reg') < Math.max(...history.slice(0, 20).map((h) => h.loss_box_reg)), 'loss_box_reg drops below its early peak');
  const detections = model.predict(images);
  data.forEach((d, b) => {
    const det = detections[b];
    const gt = d.target;
    for (let g = 0; g < gt.labels.length; g++) {
      // the best-scoring detection of the object's class overlapping it
      let found = false;
      for (let j = 0; j < det.labels.length && !found; j++) {
        const iou = iouPair(det.boxes[4 * j], det.boxes[4 * j + 1], det.boxes[4 * j + 2], det.boxes[4 * j + 3], gt.boxes[4 * g], gt.boxes[4 * g + 1], gt.boxes[4 * g + 2], gt.boxes[4 * g + 3]);
        if (det.labels[j] === gt.labels[g] && iou >= 0.7 && det.scores[j] >= 0.5) found = true;
      }
      assert.ok(found, `image ${b} object ${g} (label ${gt.labels[g]}) found with IoU ≥ 0.7 and score ≥ 0.5`);
    }
    // the top detection is a true object
    assert.ok(det.scores[0] >= 0.5);
  });
  optimizer.dispose();
  images.dispose();
  model.dispose();
});

test('Faster R-CNN predict contract: per image Float32Array [N,4] xyxy inside the image, Int32Array labels in 1..C, scores sorted in (0, 1]', async () => {
  await initEngine();
  const data = syntheticDetectionSet(9, 3, { size: 64 });
  const model = tinyModel(5);
  const images = imagesToTensor(data.map((d) => d.sample.image), 64, 64);
  const before = tf.memory().numTensors;
  const detections = model.predict(images);
  assert.equal(tf.memory().numTensors, before, 'predict leaks no tensor');
  assert.equal(detections.length, 3);
  for (const d of detections) {
    assert.ok(d.boxes instanceof Float32Array && d.labels instanceof Int32Array && d.scores instanceof Float32Array);
    const n = d.labels.length;
    assert.equal(d.boxes.length, 4 * n);
    assert.equal(d.scores.length, n);
    assert.ok(n <= 100);
    for (let i = 0; i < n; i++) {
      assert.ok(d.labels[i] >= 1 && d.labels[i] <= 3);
      assert.ok(d.scores[i] > 0.05 && d.scores[i] <= 1);
      if (i > 0) assert.ok(d.scores[i] <= d.scores[i - 1]);
      const [x1, y1, x2, y2] = d.boxes.subarray(4 * i, 4 * i + 4);
      assert.ok(0 <= x1 && x1 <= x2 && x2 <= 64 && 0 <= y1 && y1 <= y2 && y2 <= 64);
    }
  }
  // training losses carry torchvision's names
  const losses = tf.tidy(() => {
    const l = model.forwardTrain(images, data.map((d) => d.target));
    return Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v.dataSync()[0]]));
  });
  assert.deepEqual(Object.keys(losses).sort(), ['loss_box_reg', 'loss_classifier', 'loss_objectness', 'loss_rpn_box_reg']);
  for (const v of Object.values(losses)) assert.ok(Number.isFinite(v) && v >= 0);
  images.dispose();
  model.dispose();
});
