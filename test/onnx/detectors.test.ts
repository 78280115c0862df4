import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine } from '../../src/engine/setup.js';
import type { Detections } from '../../src/models/detection/types.js';
import { syntheticData } from '../../src/pipeline/dataset.js';
import { detectPrepared, detectPreparedWith } from '../../src/pipeline/infer.js';
import { openOnnxDetector } from '../../src/pipeline/onnx.js';
import { prepareSample } from '../../src/pipeline/samples.js';
import { checkpointImageSize, loadDetector, shippedCheckpoints } from '../../src/pipeline/weights.js';

/** IoU of two binary masks (1 when both are empty). */
function maskIoU(a: Uint8Array, b: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union === 0 ? 1 : inter / union;
}

function assertSameDetections(tfjs: Detections, onnx: Detections, where: string): void {
  assert.equal(onnx.labels.length, tfjs.labels.length, `${where}: detection count`);
  assert.deepEqual(Array.from(onnx.labels), Array.from(tfjs.labels), `${where}: labels`);
  for (let j = 0; j < tfjs.boxes.length; j++) assert.ok(Math.abs(onnx.boxes[j] - tfjs.boxes[j]) <= 1e-3, `${where}: box value ${j}: ${onnx.boxes[j]} vs ${tfjs.boxes[j]}`);
  for (let j = 0; j < tfjs.scores.length; j++) assert.ok(Math.abs(onnx.scores[j] - tfjs.scores[j]) <= 1e-4, `${where}: score ${j}: ${onnx.scores[j]} vs ${tfjs.scores[j]}`);
  assert.equal(onnx.masks === undefined, tfjs.masks === undefined, `${where}: masks present`);
  tfjs.masks?.forEach((m, j) => assert.ok(maskIoU(m, onnx.masks![j]) >= 0.99, `${where}: mask ${j} IoU ${maskIoU(m, onnx.masks![j])}`));
}

const IMAGES = 3;
/** R-CNN warps and classifies up to 2000 proposals per image on both runtimes: one image. */
const imagesOf = (kind: string) => (kind === 'rcnn' ? 1 : IMAGES);

/** Families whose forward pass has tensor operations outside tf.layers (no ONNX export yet). */
const NOT_EXPORTABLE = new Set(['yolov1', 'ssd', 'detr']);

for (const shipped of shippedCheckpoints().filter((s) => NOT_EXPORTABLE.has(s.family.kind))) {
  test(`onnx: ${shipped.name} is refused in one line naming the option`, async () => {
    await initEngine();
    await assert.rejects(() => openOnnxDetector(shipped.family.kind, shipped.path), (e: Error) => /has no ONNX export/.test(e.message) && !e.message.includes('\n'));
  });
}

for (const shipped of shippedCheckpoints().filter((s) => !NOT_EXPORTABLE.has(s.family.kind))) {
  test(`onnx: ${shipped.name} exported and run on ONNX Runtime gives the TF.js detections (${imagesOf(shipped.family.kind)} held-out image(s))`, async () => {
    await initEngine();
    const tfjs = loadDetector(shipped.family.kind, shipped.path);
    try {
      const imgsz = checkpointImageSize(tfjs.meta);
      const onnx = await openOnnxDetector(shipped.family.kind, shipped.path);
      try {
        assert.equal(onnx.imgsz, imgsz);
        const n = imagesOf(shipped.family.kind);
        const data = syntheticData(2, n, imgsz, shipped.family.singleObject ? [1, 1] : undefined);
        let total = 0;
        for (let i = 0; i < n; i++) {
          const sample = await prepareSample(data, i, 0, { imgsz });
          const [a] = detectPrepared(tfjs.model, tfjs.family, [sample], imgsz);
          const [b] = await detectPreparedWith(onnx, onnx.family, [sample], imgsz);
          assertSameDetections(a, b, `${shipped.name} image ${i}`);
          total += a.labels.length;
        }
        assert.ok(total > 0, `${shipped.name}: some detections to compare`);
      } finally {
        await onnx.dispose();
      }
    } finally {
      tfjs.dispose();
    }
  });
}
