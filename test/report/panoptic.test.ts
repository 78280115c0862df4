import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticPanopticSample } from '../../src/data/synthetic-panoptic.js';
import { initEngine } from '../../src/engine/setup.js';
import { evaluatePanopticModel, PanopticModel } from '../../src/models/panoptic/panoptic-model.js';
import { ReportContext } from '../../src/report/report.js';
import { paintPanoptic, panopticSection, pictureImageIndex, PANOPTIC_SECTION_IMAGES } from '../../src/report/sections/panoptic.js';

test('pictureImageIndex: the first held-out image with ≥ 3 things and all 3 stuff classes', () => {
  const index = pictureImageIndex();
  const stuffCount = (i: number) => new Set(Array.from(syntheticPanopticSample(2, i, { size: 128 }).categoryMap).filter((c) => c >= 4)).size;
  const things = (i: number) => syntheticPanopticSample(2, i, { size: 128 }).labels.length;
  assert.ok(things(index) >= 3 && stuffCount(index) === 3);
  for (let i = 0; i < index; i++) assert.ok(!(things(i) >= 3 && stuffCount(i) === 3), `image ${i} qualifies too`);
});

test('paintPanoptic: void black, stuff 70 % its category colour, things in instance colours', () => {
  const rgb = Uint8Array.from([100, 100, 100, 10, 20, 30, 200, 0, 0]);
  const out = paintPanoptic(rgb, Uint32Array.from([0, 7, 9]), [{ id: 7, category_id: 4 }, { id: 9, category_id: 2 }]);
  // sky (4) is [70, 130, 180]; the first thing gets #FFFF00
  assert.deepEqual(Array.from(out), [0, 0, 0, Math.round(0.7 * 70 + 3), Math.round(0.7 * 130 + 6), Math.round(0.7 * 180 + 9), Math.round(0.7 * 255 + 60), Math.round(0.7 * 255), 0]);
});

test('panoptic section (quick): the five-panel figure and the PQ the evaluator gives on the same held-out images', async () => {
  await initEngine();
  const ctx = new ReportContext(mkdtempSync(join(tmpdir(), 'detseg-panoptic-section-')), { retrain: false, quick: true, log: () => {} });
  const section = await panopticSection(ctx);
  assert.equal(section.id, 'panoptic');
  const svg = readFileSync(join(ctx.dir, 'panoptic-ladder.svg'), 'utf8');
  assert.equal(svg.match(/<image /g)?.length, 6);
  for (const caption of ['1. classification + localization', '2. object detection', '3. semantic segmentation', '4. instance segmentation', '5. panoptic segmentation']) assert.ok(svg.includes(caption), caption);
  const model = PanopticModel.load();
  const live = evaluatePanopticModel(model, undefined, PANOPTIC_SECTION_IMAGES.quick);
  model.dispose();
  assert.ok(section.html.includes(`Measured now on the first ${PANOPTIC_SECTION_IMAGES.quick} held-out images: PQ ${live.pq.All.pq.toFixed(3)} (Things ${live.pq.Things.pq.toFixed(3)},`));
  assert.ok(section.html.includes(`semantic mIoU ${live.meanIou.toFixed(3)}`));
});
