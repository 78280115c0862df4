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
