import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine } from '../../src/engine/setup.js';
import type { Detections } from '../../src/models/detection/types.js';
import { syntheticData } from '../../src/pipeline/dataset.js';
import { detectPrepared, detectPreparedWith } from '../../src/pipeline/infer.js';
import { openOnnxDetector } from '../../src/pipeline/onnx.js';
import { prepareSample } from '../../src/pipeline/samples.js';
import { loadDetector } from '../../src/pipeline/weights.js';

function plain(d: Detections): unknown {
  return { boxes: Array.from(d.boxes), labels: Array.from(d.labels), scores: Array.from(d.scores), masks: d.masks?.map((m) => Array.from(m)) };
}

test('OnnxDetector keeps its RoI buffers from image to image: repeated and overlapping predict calls give the same detections as one call at a time (shipped Mask R-CNN)', async () => {
  await initEngine();
  const onnx = await openOnnxDetector('mask-rcnn');
  const tfjs = loadDetector('mask-rcnn');
  try {
    const imgsz = onnx.imgsz;
    const data = syntheticData(2, 3, imgsz);
    const samples = await Promise.all([0, 1, 2].map((i) => prepareSample(data, i, 0, { imgsz })));
    const one: Detections[] = [];
    for (const s of samples) one.push((await detectPreparedWith(onnx, onnx.family, [s], imgsz))[0]);
    assert.ok(one.some((d) => d.labels.length > 0), 'the images have detections');
    // The reference of those: the TF.js path (labels, and boxes within 1e-3 px).
    samples.forEach((s, i) => {
      const [t] = detectPrepared(tfjs.model, tfjs.family, [s], imgsz);
      assert.deepEqual(Array.from(one[i].labels), Array.from(t.labels));
      t.boxes.forEach((v, j) => assert.ok(Math.abs(v - one[i].boxes[j]) <= 1e-3, `image ${i} box value ${j}`));
    });
    const again = (await detectPreparedWith(onnx, onnx.family, [samples[0]], imgsz))[0];
    assert.deepEqual(plain(again), plain(one[0]));
    const overlapping = await Promise.all(samples.map((s) => detectPreparedWith(onnx, onnx.family, [s], imgsz)));
    overlapping.forEach(([d], i) => assert.deepEqual(plain(d), plain(one[i]), `image ${i}`));
  } finally {
    await onnx.dispose();
    tfjs.dispose();
  }
});
