import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDetectors, formatDetectorBench } from '../../src/benchmarks/detectors.js';
import { initEngine } from '../../src/engine/setup.js';
import { saveDetectorCheckpoint } from '../../src/models/detection/checkpoint.js';
import { evaluateDetections } from '../../src/models/detection/evaluate.js';
import { imagesToTensor, syntheticDetectionSet } from '../../src/models/detection/synthetic-data.js';
import { FasterRCNN } from '../../src/models/faster-rcnn/faster-rcnn.js';

test('bench detectors: one row per checkpoint with its parameter count, and the mAP of its detections on the held-out images', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-bench-'));
  const options = { seed: 3, backbone: { widths: [8, 16, 32] }, representationSize: 32, roiHeads: { scoreThreshold: 0 } };
  const model = new FasterRCNN(options);
  try {
    const path = join(dir, 'tiny.ckpt');
    saveDetectorCheckpoint(path, model.models(), { format: 'detseg-faster-rcnn', options, imgsz: 64 });
    const [row] = await benchDetectors({ images: 3, checkpoints: [{ name: 'tiny', kind: 'faster-rcnn', path }] });
    assert.equal(row.model, 'tiny');
    assert.equal(row.params, model.models().reduce((s, m) => s + m.countParams(), 0));
    assert.ok(row.msPerImage > 0);
    // the same images through the model directly, scored by the synthetic benchmark's evaluation
    const samples = syntheticDetectionSet(2, 3, { size: 64 });
    const images = imagesToTensor(samples.map((s) => s.sample.image), 64, 64);
    const coco = evaluateDetections(samples, model.predict(images), 'bbox');
    images.dispose();
    assert.ok(Math.abs(row.mAP - coco.stats[0]) < 1e-9 && Math.abs(row.mAP50 - coco.stats[1]) < 1e-9, `${row.mAP} / ${coco.stats[0]}`);
    assert.match(formatDetectorBench([row], 3), /^3 held-out synthetic images.*\nmodel +kind +params +ms\/image +mAP +mAP50\ntiny +faster-rcnn +[\d,]+ +[\d.]+ +[\d.]+ +[\d.]+$/);
  } finally {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench detectors --runtime onnx: the same checkpoint on TF.js and on ONNX Runtime, same images, same mAP; the table gives the ratio', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-bench-onnx-'));
  const options = { seed: 5, backbone: { widths: [8, 16, 32] }, representationSize: 32, roiHeads: { scoreThreshold: 0 } };
  const model = new FasterRCNN(options);
  try {
    const path = join(dir, 'tiny.ckpt');
    saveDetectorCheckpoint(path, model.models(), { format: 'detseg-faster-rcnn', options, imgsz: 64 });
    const rows = await benchDetectors({ images: 2, checkpoints: [{ name: 'tiny', kind: 'faster-rcnn', path }], runtime: 'onnx' });
    assert.deepEqual(rows.map((r) => [r.model, r.runtime]), [['tiny', 'tfjs'], ['tiny', 'onnx']]);
    assert.equal(rows[1].params, rows[0].params);
    assert.ok(rows[0].mAP >= 0 && Math.abs(rows[1].mAP - rows[0].mAP) < 1e-9 && Math.abs(rows[1].mAP50 - rows[0].mAP50) < 1e-9, `${rows[1].mAP} / ${rows[0].mAP}`);
    const ratio = (rows[1].msPerImage / rows[0].msPerImage).toFixed(2);
    assert.match(formatDetectorBench(rows, 2), new RegExp(`\\nmodel +kind +runtime +params +ms/image +vs tfjs +mAP +mAP50\\ntiny +faster-rcnn +tfjs +[\\d,]+ +[\\d.]+ +[\\d.]+ +[\\d.]+\\ntiny +faster-rcnn +onnx +[\\d,]+ +[\\d.]+ +${ratio.replace('.', '\\.')} +[\\d.]+ +[\\d.]+$`));
  } finally {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
