import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../../src/engine/checkpoint.js';
import { initEngine } from '../../../src/engine/setup.js';
import { syntheticLabelDataset } from '../../../src/models/segmentation-data.js';
import { segmentationKinds, segmentationModelFromCheckpoint } from '../../../src/models/segmentation-registry.js';
import { evaluateSegmentation } from '../../../src/models/segmentation-train.js';
import { ReportContext } from '../../../src/report/report.js';
import { colour } from '../../../src/viz/svg.js';
import { SEGMENTATION_FAMILY_IMAGES, paintLabels, segmentationCheckpointPath, segmentationFamiliesSection } from '../../../src/report/sections/segmentation-families.js';

test('paintLabels: background shows the image, class k blends ⅓ image with ⅔ of palette colour k − 1; grey images spread to RGB', () => {
  const grey = { image: Float32Array.of(0, 0.5, 1, 0.2), height: 2, width: 2, channels: 1 };
  const out = paintLabels(grey, Uint8Array.of(0, 1, 0, 2));
  const hex = (css: string) => [1, 3, 5].map((i) => parseInt(css.slice(i, i + 2), 16));
  const [c1, c2] = [hex(colour(0)), hex(colour(1))];
  assert.deepEqual(Array.from(out.subarray(0, 3)), [0, 0, 0]);
  assert.deepEqual(Array.from(out.subarray(3, 6)), c1.map((c) => Math.round(128 / 3 + (2 * c) / 3)));
  assert.deepEqual(Array.from(out.subarray(6, 9)), [255, 255, 255]);
  assert.deepEqual(Array.from(out.subarray(9, 12)), c2.map((c) => Math.round(51 / 3 + (2 * c) / 3)));
  const rgb = { image: Float32Array.of(0.1, 0.2, 0.3), height: 1, width: 1, channels: 3 };
  assert.deepEqual(Array.from(paintLabels(rgb, undefined)), [26, 51, 77]);
});

test('segmentation families section (--quick): one row per shipped model whose mIoU is evaluateSegmentation\'s on the same held-out images, and the LV row of the shipped folds', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-seg-families-'));
  const ctx = new ReportContext(dir, { retrain: false, quick: true, log: () => {} });
  const section = await segmentationFamiliesSection(ctx);
  const rows = [...section.html.matchAll(/<tr><td>(\w+)<\/td><td>[\d,]+<\/td><td>([\d.]+)<\/td>/g)];
  const shipped = segmentationKinds().filter((k) => existsSync(segmentationCheckpointPath(k)));
  assert.deepEqual(rows.map((r) => r[1]), shipped);
  const held = syntheticLabelDataset(2, SEGMENTATION_FAMILY_IMAGES.quick);
  for (const [, kind, miou] of rows) {
    const path = segmentationCheckpointPath(kind);
    const { model, family, meta } = segmentationModelFromCheckpoint(loadCheckpoint(path), path);
    const want = evaluateSegmentation(model, held.samples, held.samples.map((_, i) => i), 4, family.multiple(meta.options)).metrics.meanIou;
    model.dispose();
    assert.equal(miou, want.toFixed(3), kind);
  }
  for (const kind of shipped) {
    if (existsSync(segmentationCheckpointPath(kind, 0))) assert.ok(existsSync(join(dir, `segmentation-families-lv-${2 + shipped.indexOf(kind)}.png`)), `${kind}: LV panel`);
  }
});
