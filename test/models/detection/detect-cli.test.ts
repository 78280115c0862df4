import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../../src/data/images.js';
import { initEngine } from '../../../src/engine/setup.js';
import { saveDetectorCheckpoint } from '../../../src/models/detection/checkpoint.js';
import { imagesToTensor, syntheticDetectionSet } from '../../../src/models/detection/synthetic-data.js';
import { FasterRCNN, type FasterRcnnOptions } from '../../../src/models/faster-rcnn/faster-rcnn.js';
import { runCli } from '../../helpers/cli.js';

const options: FasterRcnnOptions = { seed: 8, backbone: { widths: [8, 16, 32] }, representationSize: 32, roiHeads: { scoreThreshold: 0.2 } };

test('detseg predict faster-rcnn writes the same detections as the library predict, as COCO results JSON', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-detect-'));
  try {
    const [d] = syntheticDetectionSet(3, 1, { size: 64 });
    writeFileSync(join(dir, 'a.png'), await encodePng({ data: d.sample.image, width: 64, height: 64 }));
    const model = new FasterRCNN(options);
    saveDetectorCheckpoint(join(dir, 'm.ckpt'), model.models(), { format: 'detseg-faster-rcnn', options });
    const images = imagesToTensor([d.sample.image], 64, 64);
    const [expected] = model.predict(images);
    images.dispose();
    model.dispose();
    const r = runCli(['predict', 'faster-rcnn', '--checkpoint', join(dir, 'm.ckpt'), '--input', join(dir, 'a.png'), '--out', join(dir, 'out.json'), '--imgsz', '64', '--conf', '0.05']);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Array<{ image_id: number; category_id: number; bbox: number[]; score: number }>;
    assert.ok(expected.labels.length > 0, "the untrained model scores some boxes above 0.2");
    assert.equal(results.length, expected.labels.length);
    results.forEach((res, j) => {
      assert.equal(res.image_id, 1);
      assert.equal(res.category_id, expected.labels[j]);
      assert.ok(Math.abs(res.score - expected.scores[j]) < 1e-6);
      const b = expected.boxes.subarray(4 * j, 4 * j + 4);
      assert.deepEqual(res.bbox.map((v) => +v.toFixed(3)), [b[0], b[1], b[2] - b[0], b[3] - b[1]].map((v) => +v.toFixed(3)));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('detseg predict: a missing or foreign checkpoint is a one-line error naming the file, exit code 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-detect-'));
  try {
    writeFileSync(join(dir, 'img.png'), '');
    const missing = runCli(['predict', 'faster-rcnn', '--checkpoint', join(dir, 'none.ckpt'), '--input', join(dir, 'img.png')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /none\.ckpt: --checkpoint: checkpoint does not exist/);
    writeFileSync(join(dir, 'bad.ckpt'), 'not a checkpoint');
    const bad = runCli(['predict', 'rcnn', '--checkpoint', join(dir, 'bad.ckpt'), '--input', join(dir, 'img.png')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.ckpt: magic: not a detseg checkpoint/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('detseg predict: an empty --score, an --iou out of range and an image over --max-pixels are one-line errors naming the option, exit code 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-detect-'));
  try {
    const [d] = syntheticDetectionSet(3, 1, { size: 64 });
    writeFileSync(join(dir, 'a.png'), await encodePng({ data: d.sample.image, width: 64, height: 64 }));
    const cases: Array<[string[], RegExp]> = [
      [['--score', ''], /^detseg: error: --score: must be a number in \[0, 1\], got ''$/],
      [['--conf', '1.5'], /^detseg: error: --conf: must be a number in \[0, 1\], got '1\.5'$/],
      [['--iou', '0'], /^detseg: error: --iou: must be a number in \(0, 1\], got '0'$/],
      [['--max-pixels', '4000'], /a\.png: .*64×64 = 4096 pixels is larger than the limit of 4000 pixels.*--max-pixels/],
    ];
    for (const [extra, message] of cases) {
      const r = runCli(['predict', 'faster-rcnn', '--source', join(dir, 'a.png'), '--out', join(dir, 'out.json'), ...extra]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), message);
    }
    assert.ok(!existsSync(join(dir, 'out.json')), 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
