import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boxIou } from '../../src/boxes/iou.js';
import { nms } from '../../src/nms/greedy.js';
import { ReportContext, renderReport } from '../../src/report/report.js';
import { practicalSections } from '../../src/report/practical.js';
import { writeDirAtomic } from '../../src/util/atomic.js';
import { anchorsSection } from '../../src/report/sections/anchors.js';
import { iouExamplePairs, iouQualityBand, iouSection } from '../../src/report/sections/iou.js';
import { crowdedScene, nmsSection } from '../../src/report/sections/nms.js';

function context(): ReportContext {
  return new ReportContext(mkdtempSync(join(tmpdir(), 'detseg-report-')), { retrain: false, quick: true, log: () => {} });
}

test('iouQualityBand follows the lecture: > 0.5 decent, > 0.7 pretty good, > 0.9 almost perfect', () => {
  assert.deepEqual([0, 0.5, 0.51, 0.7, 0.71, 0.9, 0.91, 1].map(iouQualityBand), ['poor', 'poor', 'decent', 'decent', 'pretty good', 'pretty good', 'almost perfect', 'almost perfect']);
});

test('iou section: one pair per band, IoUs as worked by hand, written to iou.svg', async () => {
  const { groundTruth, predictions } = iouExamplePairs();
  // 120×120 boxes shifted by (20,15), (10,8), (3,2): overlaps 100·105, 110·112, 117·118 over 2·14400 − overlap
  const expected = [10500 / 18300, 12320 / 16480, 13806 / 14994];
  expected.forEach((v, k) => assert.ok(Math.abs(boxIou(groundTruth.subarray(4 * k, 4 * k + 4), predictions.subarray(4 * k, 4 * k + 4))[0] - v) < 1e-6));
  const ctx = context();
  const section = await iouSection(ctx);
  const svg = readFileSync(join(ctx.dir, 'iou.svg'), 'utf8');
  for (const [k, band] of ['decent', 'pretty good', 'almost perfect'].entries()) {
    assert.match(svg, new RegExp(`IoU = ${expected[k].toFixed(3)}`));
    assert.equal(iouQualityBand(expected[k]), band);
    assert.match(section.html, new RegExp(`<td>${expected[k].toFixed(3)}</td><td>${band}</td>`));
  }
});

test('nms section: the crowded scene keeps exactly one box per object, drawn with its score', async () => {
  const scene = crowdedScene();
  assert.deepEqual(crowdedScene(), scene, 'seeded');
  const kept = nms(scene.boxes, scene.scores, 0.5);
  const g = scene.objects.length / 4;
  const iou = boxIou(scene.objects, scene.boxes.filter((_, k) => kept.includes(k >> 2))); // [G, K]
  for (let o = 0; o < g; o++) {
    const matches = Array.from(iou.subarray(o * kept.length, (o + 1) * kept.length)).filter((v) => v >= 0.5).length;
    assert.equal(matches, 1, `object ${o}`);
  }
  const ctx = context();
  await nmsSection(ctx);
  const svg = readFileSync(join(ctx.dir, 'nms.svg'), 'utf8');
  assert.match(svg, new RegExp(`before: ${scene.scores.length} detections`));
  assert.match(svg, new RegExp(`${kept.length} kept`));
  for (const i of kept) assert.ok(svg.includes(`>${scene.scores[i].toFixed(2)}</text>`), `score of detection ${i}`);
});

test('anchors section: 9 anchors at each of 3 cells and the 16×12 grid of centres', async () => {
  const ctx = context();
  const section = await anchorsSection(ctx);
  const svg = readFileSync(join(ctx.dir, 'anchors.svg'), 'utf8');
  assert.equal(svg.match(/stroke-width="1.6"/g)?.length, 27);
  assert.equal(svg.match(/<circle/g)?.length, 16 * 12 + 3);
  // base anchors of size 48: ratio 0.5 → 67.88×33.94 → half-extents 33.94, 16.97 → (−34, −17, 34, 17)
  assert.match(section.html, /\(-34, -17, 34, 17\)/);
});

test('the practical lists iou, nms, anchors in that order; run as the practical runs them, they write their figures', async () => {
  const builders = await practicalSections();
  const mine = [iouSection, nmsSection, anchorsSection];
  const positions = mine.map((b) => builders.indexOf(b));
  assert.ok(positions.every((p) => p >= 0) && positions[0] < positions[1] && positions[1] < positions[2], `positions ${positions}`);
  // the same steps as runPractical, restricted to these sections (the others train or load models)
  const out = join(mkdtempSync(join(tmpdir(), 'detseg-practical-')), 'report');
  await writeDirAtomic(out, async (dir) => {
    const ctx = new ReportContext(dir, { retrain: false, quick: true, log: () => {} });
    const sections = [];
    for (const build of mine) sections.push(await build(ctx));
    writeFileSync(join(dir, 'index.html'), renderReport('test', '', sections));
  });
  for (const f of ['iou.svg', 'nms.svg', 'anchors.svg', 'index.html']) assert.ok(existsSync(join(out, f)), f);
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  for (const id of ['iou', 'nms', 'anchors']) assert.match(index, new RegExp(`<section id="${id}">`));
  for (const f of ['iou.svg', 'nms.svg', 'anchors.svg']) assert.match(index, new RegExp(`<img src="${f}"`));
});
