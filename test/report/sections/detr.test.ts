import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../../src/engine/checkpoint.js';
import { initEngine } from '../../../src/engine/setup.js';
import { saveDetectorCheckpoint } from '../../../src/models/detection/checkpoint.js';
import { imagesToTensor } from '../../../src/models/detection/images-tensor.js';
import { syntheticDetectionSet } from '../../../src/models/detection/synthetic-data.js';
import { DetrNet, type DetrOptions } from '../../../src/models/detr/detr.js';
import { ReportContext } from '../../../src/report/report.js';
import { detrSection, inspectDetr, trainingCurve } from '../../../src/report/sections/detr.js';

const OPTIONS: DetrOptions = { numClasses: 3, backbone: { widths: [8, 16, 32] }, d: 32, heads: 2, encoderLayers: 1, decoderLayers: 2, feedforward: 64, queries: 6, anchorPoints: true, seed: 3 };

test('DETR inspection: the attention of each query is the mean over the heads of the last layer, a distribution over the map', async () => {
  await initEngine();
  const net = new DetrNet(OPTIONS);
  try {
    const [sample] = syntheticDetectionSet(2, 1, { size: 64 });
    const inspection = inspectDetr(net, sample.sample.image, 64);
    const heads = tf.tidy(() => net.outputs(imagesToTensor([sample.sample.image], 64, 64), false).crossAttention[1].arraySync() as number[][][][]); // [1, heads, N, h·w]
    const hw = inspection.featureHeight * inspection.featureWidth;
    assert.equal(hw, 64); // 64² at stride 8
    for (let q = 0; q < 6; q++) {
      let sum = 0;
      for (let c = 0; c < hw; c++) {
        const mean = (heads[0][0][q][c] + heads[0][1][q][c]) / 2;
        assert.ok(Math.abs(inspection.attention[q * hw + c] - mean) < 1e-6, `query ${q} cell ${c}`);
        sum += inspection.attention[q * hw + c];
      }
      assert.ok(Math.abs(sum - 1) < 1e-5, `query ${q} sums to ${sum}`);
    }
  } finally {
    net.dispose();
  }
});

test('DETR report section: one attention figure per query that found an object, one matching row per object with distinct queries', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-detr-section-'));
  const net = new DetrNet({ ...OPTIONS, imageSize: 64 });
  // a bias towards class 0 makes some queries "find" an object with random weights
  const bias = net.params.get('class_embed_b');
  bias.assign(tf.tensor1d([0, -2, -2, -2].map((v, k) => (k === 0 ? 4 : v))));
  const path = join(dir, 'detr.ckpt');
  saveDetectorCheckpoint(path, net.models(), { format: 'detseg-detr', options: { ...OPTIONS, imageSize: 64 }, imgsz: 64 });
  net.dispose();
  const ctx = new ReportContext(dir, { retrain: false, quick: true, log: () => {} });
  ctx.checkpoints.set('detr', path);
  const section = await detrSection(ctx);
  const attention = readdirSync(dir).filter((f) => f.startsWith('detr-attention-q'));
  assert.ok(attention.length > 0, 'some queries found objects');
  assert.equal((section.html.match(/<figure>/g) ?? []).length, attention.length + 1);
  const rows = [...section.html.matchAll(/<tr><td>(\d+): \w+<\/td><td>(\d+)<\/td>/g)];
  assert.ok(rows.length > 0, 'a matching table');
  assert.equal(new Set(rows.map((r) => r[2])).size, rows.length, 'each object has its own query');
  assert.deepEqual(rows.map((r) => Number(r[1])), rows.map((_, j) => j + 1));
});

test('DETR training curve: the epochs of every run behind a checkpoint, images counted across the runs; the shipped file\'s five runs reach 152,000 images', async () => {
  const row = (epoch: number, mAP: number, seconds: number) => ({ epoch, losses: { loss: 1 }, mAP, mAP50: mAP + 0.25, lr: 1e-4, seconds, imagesPerSecond: 10 });
  const meta = { kind: 'detr', args: { trainImages: 50 }, history: [row(1, 0.4, 5)], lineage: [{ args: { trainImages: 100 }, history: [row(1, 0.1, 10), row(2, 0.2, 20)] }, { args: {}, history: [row(1, 0.9, 99)] }] };
  const curve = trainingCurve(meta);
  assert.equal(curve.runs, 2, 'the run without trainImages is left out');
  assert.deepEqual(curve.seen, [0.1, 0.2, 0.25]);
  assert.deepEqual(curve.map, [0.1, 0.2, 0.4]);
  assert.deepEqual(curve.map50, [0.35, 0.45, 0.65]);
  assert.equal(curve.seconds, 35);
  assert.deepEqual(trainingCurve({ kind: 'detr', args: { trainImages: 8 } }).runs, 0, 'no history, no curve');
  const shipped = loadCheckpoint(join('assets', 'checkpoints', 'detector-detr.ckpt')).meta!;
  const real = trainingCurve(shipped);
  assert.equal(real.runs, 5);
  assert.equal(real.seen.length, 9);
  assert.equal(real.seen[real.seen.length - 1], 152);
  assert.equal(real.map50[real.map50.length - 1], shipped.metrics && (shipped.metrics as { mAP50: number }).mAP50);
});
