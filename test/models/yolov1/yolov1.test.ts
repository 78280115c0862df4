import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { imagesToTensor, syntheticDetectionSet } from '../../../src/models/detection/synthetic-data.js';
import { yoloDetections, yoloPredictors } from '../../../src/models/yolov1/detections.js';
import { YOLOv1 } from '../../../src/models/yolov1/yolov1.js';
import { everyObjectFound } from '../detection/overfit-helpers.js';

test('YOLOv1 inference: class-specific confidence p(c)·C, the threshold, boxes decoded from the cell, NMS per class', () => {
  // S = 2, B = 1, C = 2 on a 100×100 image (50-pixel cells); layout per cell (x, y, √w, √h, C, p1, p2)
  const cell = (x: number, y: number, sw: number, sh: number, conf: number, p1: number) => [x, y, sw, sh, conf, p1, 1 - p1];
  const output = Float32Array.from([
    ...cell(0.5, 0.5, 0.4, 0.4, 0.9, 0.8), // (0,0): centre (25, 25), 16×16 → class 1: 0.72, class 2: 0.18
    ...cell(0.2, 0.6, 0.5, 0.3, 0.08, 0.5), // (0,1): both classes 0.04: below the threshold, dropped
    ...cell(0.5, 0.5, 0.4, 0.4, 0.7, 0.9), // (1,0): centre (25, 75) → class 1: 0.63, class 2: 0.07
    ...cell(0.1, 0.1, 0.9, 0.9, 0.5, 0.2), // (1,1): centre (55, 55), 81×81, clipped → class 2: 0.4, class 1: 0.1
  ]);
  const d = yoloDetections(output, { s: 2, b: 1, c: 2 }, 100, 100, { scoreThreshold: 0.05, nmsThreshold: 0.5 });
  const expected = [
    { box: [17, 17, 33, 33], label: 1, score: 0.72 },
    { box: [17, 67, 33, 83], label: 1, score: 0.63 },
    { box: [14.5, 14.5, 95.5, 95.5], label: 2, score: 0.4 },
    { box: [17, 17, 33, 33], label: 2, score: 0.18 }, // inside the 81×81 class-2 box: IoU 0.039, kept
    { box: [14.5, 14.5, 95.5, 95.5], label: 1, score: 0.1 },
    { box: [17, 67, 33, 83], label: 2, score: 0.07 },
  ];
  assert.equal(d.labels.length, expected.length);
  expected.forEach((e, k) => {
    assert.equal(d.labels[k], e.label);
    assert.ok(Math.abs(d.scores[k] - e.score) < 1e-6, `score ${k}: ${d.scores[k]}`);
    e.box.forEach((v, q) => assert.ok(Math.abs(d.boxes[4 * k + q] - v) < 1e-4, `box ${k}: ${[...d.boxes.subarray(4 * k, 4 * k + 4)]}`));
  });
});

test('yoloPredictors: every predictor\'s box (unclipped), confidence and each cell\'s class probabilities, by hand', () => {
  // the S = 2, B = 1, C = 2 output of the inference test above, on a 100×100 image
  const cell = (x: number, y: number, sw: number, sh: number, conf: number, p1: number) => [x, y, sw, sh, conf, p1, 1 - p1];
  const output = Float32Array.from([...cell(0.5, 0.5, 0.4, 0.4, 0.9, 0.8), ...cell(0.2, 0.6, 0.5, 0.3, 0.08, 0.5), ...cell(0.5, 0.5, 0.4, 0.4, 0.7, 0.9), ...cell(0.1, 0.1, 0.9, 0.9, 0.5, 0.2)]);
  const p = yoloPredictors(output, { s: 2, b: 1, c: 2 }, 100, 100);
  // cell (0,1): centre ((1 + 0.2)/2·100, (0 + 0.6)/2·100) = (60, 30), 0.5²·100 × 0.3²·100 = 25 × 9
  const boxes = [17, 17, 33, 33, 47.5, 25.5, 72.5, 34.5, 17, 67, 33, 83, 14.5, 14.5, 95.5, 95.5]; // the last one reaches past the image: not clipped
  boxes.forEach((v, q) => assert.ok(Math.abs(p.boxes[q] - v) < 1e-4, `box value ${q}: ${p.boxes[q]} vs ${v}`));
  [0.9, 0.08, 0.7, 0.5].forEach((v, q) => assert.ok(Math.abs(p.confidence[q] - v) < 1e-6));
  [0.8, 0.2, 0.5, 0.5, 0.9, 0.1, 0.2, 0.8].forEach((v, q) => assert.ok(Math.abs(p.classes[q] - v) < 1e-6));
  // B = 2: predictor k of a cell is row cell·B + k; its 5 outputs start at 5k
  const two = yoloPredictors(Float32Array.of(0.5, 0.5, 0.5, 0.5, 0.3, 0.25, 0.75, 1, 0.2, 0.6, 1), { s: 1, b: 2, c: 1 }, 40, 20);
  // predictor 0: centre (20, 10), 0.5²·40 × 0.5²·20 = 10 × 5; predictor 1: centre (10, 15), 40 × 0.2²·20 = 0.8 (past the left edge)
  [15, 7.5, 25, 12.5, -10, 14.6, 30, 15.4].forEach((v, q) => assert.ok(Math.abs(two.boxes[q] - v) < 1e-5, `B = 2 box value ${q}: ${two.boxes[q]} vs ${v}`));
  assert.deepEqual([...two.confidence].map((v) => Number(v.toFixed(6))), [0.3, 0.6]);
  assert.deepEqual([...two.classes], [1]);
});

test('YOLOv1 overfits two synthetic images: the loss drops tenfold and every object is detected with its class', async () => {
  await initEngine();
  const data = syntheticDetectionSet(7, 2, { size: 64, minObjects: 1, maxObjects: 2, smallFraction: 0 });
  const model = new YOLOv1({ seed: 3, gridSize: 4, backbone: { widths: [8, 16, 32] }, headWidth: 32 });
  const images = imagesToTensor(data.map((d) => d.sample.image), 64, 64);
  const targets = data.map((d) => d.target);
  const optimizer = tf.train.adam(3e-3);
  const history: Array<Record<string, number>> = [];
  try {
    for (let step = 0; step < 100; step++) history.push(model.trainStep(optimizer, images, targets));
    const meanLast = history.slice(-10).reduce((s, h) => s + h.loss, 0) / 10;
    assert.ok(meanLast < 0.1 * history[0].loss, `loss ${history[0].loss} → ${meanLast}`);
    const detections = model.predict(images);
    data.forEach((d, b) => {
      assert.ok(everyObjectFound(d.target, detections[b], 0.5, 0.3), `image ${b}: every object found with IoU ≥ 0.5 and score ≥ 0.3`);
      assert.ok(detections[b].scores[0] >= 0.3);
    });
  } finally {
    optimizer.dispose();
    images.dispose();
    model.dispose();
  }
});
