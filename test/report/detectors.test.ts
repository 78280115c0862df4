import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { iouPair } from '../../src/boxes/iou.js';
import { initEngine } from '../../src/engine/setup.js';
import { DEFAULT_SYNTHETIC_RECIPE, heldOutSet } from '../../src/models/detection/recipe.js';
import { loadFasterRcnn } from '../../src/models/faster-rcnn/checkpoint.js';
import { practicalSections } from '../../src/report/practical.js';
import { detrSection } from '../../src/report/sections/detr.js';
import { ReportContext } from '../../src/report/report.js';
import { rcnnFamilyCheckpoints, rcnnFamilyRatios } from '../../src/benchmarks/rcnn-family.js';
import { loadCheckpoint } from '../../src/engine/checkpoint.js';
import { readDetectorMeta } from '../../src/models/detection/checkpoint.js';
import { shippedMaskRcnnPath } from '../../src/models/mask-rcnn/checkpoint.js';
import { ANCHOR_CANDIDATES, anchorImageIndex, blendMasks, detectorsSection, speedBarsSvg } from '../../src/report/sections/detectors.js';
import { dataSection } from '../../src/report/sections/data.js';
import { evaluationSection } from '../../src/report/sections/evaluation.js';
import { photosSection } from '../../src/report/sections/photos.js';
import { singleStageSection } from '../../src/report/sections/single-stage.js';
import { panopticSection } from '../../src/report/sections/panoptic.js';

test('blendMasks: masked pixels move by alpha toward the colour, the rest stay (hand-worked)', () => {
  const rgb = Uint8Array.from([100, 100, 100, 0, 0, 0]); // 1×2 image
  const out = blendMasks(rgb, [Uint8Array.from([1, 0])], ['#FF0000'], 0.5);
  assert.deepEqual([...out], [178, 50, 50, 0, 0, 0]); // 0.5·100 + 0.5·255 = 177.5 → 178
  assert.deepEqual([...rgb], [100, 100, 100, 0, 0, 0], 'input untouched');
});

test('speedBarsSvg: bar lengths are proportional to the seconds, the slowest total spans the 380 px plot (hand-worked)', () => {
  const row = (method: 'R-CNN' | 'Fast R-CNN' | 'Faster R-CNN', p: number, n: number) => ({ method, proposer: 'x', proposalSeconds: p, networkSeconds: n, totalSeconds: p + n, proposalsPerImage: 1, mAP: 0, mAP50: 0, backboneParameters: 1, heldOut: null });
  const rows = [row('R-CNN', 0.1, 0.3), row('Fast R-CNN', 0.1, 0.1), row('Faster R-CNN', 0.02, 0.08)];
  const svg = speedBarsSvg({ images: 1, imageSize: 128, seed: 2, proposalMode: 'quality', rcnnWarpSize: 128, rows, ratios: rcnnFamilyRatios(rows), sameBackboneArchitecture: true });
  const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="26"/g)].map((m) => Number(m[1]));
  assert.deepEqual(widths, [95, 285, 95, 95, 19, 76]); // 380·0.1/0.4, 380·0.3/0.4, …, 380·0.02/0.4, 380·0.08/0.4
  assert.match(svg, />0\.400 s</);
});

test('the detectors section comes after the evaluation section, then the single-stage detectors, DETR, the panoptic ladder, the real photographs and the data section', async () => {
  const builders = await practicalSections();
  const at = builders.indexOf(detectorsSection);
  assert.ok(at > 0);
  assert.equal(builders[at - 1], evaluationSection);
  assert.equal(builders[at + 1], singleStageSection);
  assert.equal(builders[at + 2], detrSection);
  assert.equal(builders[at + 3], panopticSection);
  assert.equal(builders[at + 4], photosSection);
  assert.equal(builders[at + 5], dataSection);
});

test('detectors section (quick): figures exist, and the positive-anchor count equals a naive IoU loop over the RPN anchors', async () => {
  const ctx = new ReportContext(mkdtempSync(join(tmpdir(), 'detseg-detectors-')), { retrain: false, quick: true, log: () => {} });
  const section = await detectorsSection(ctx);
  assert.equal(section.id, 'detectors');
  for (const name of ['detectors-speed.svg', 'detectors-anchors.svg', 'detectors-proposals.svg', 'detectors-masks.svg']) {
    assert.ok(ctx.figures.includes(name), name);
    assert.ok(existsSync(join(ctx.dir, name)), name);
    assert.ok(section.html.includes(`src="${name}"`), `${name} is referenced`);
    const png = await sharp(join(ctx.dir, name)).png().toBuffer(); // the SVG renders
    assert.ok(png.length > 100);
  }
  // the speed table: three methods, with times
  for (const method of ['R-CNN', 'Fast R-CNN', 'Faster R-CNN']) assert.ok(section.html.includes(`<td>${method}</td>`), method);
  assert.match(section.html, /on the same 2 held-out/);
  // the printed ratios are the quotients of the printed row times (4 decimals: each time is within
  // 5e-5 s of the exact median; ratios are printed to 0.1)
  const printed = new Map<string, { network: number; total: number }>();
  for (const m of section.html.matchAll(/<tr><td>((?:Fast |Faster )?R-CNN)<\/td><td>([\d.]+)<\/td><td>([\d.]+)<\/td><td>([\d.]+)<\/td><\/tr>/g)) {
    printed.set(m[1], { network: Number(m[3]), total: Number(m[4]) });
  }
  // the accuracy columns: each checkpoint's recorded held-out mAP and mAP@0.5, beside what the step removes
  const checkpoints = rcnnFamilyCheckpoints();
  for (const [method, kind] of [['R-CNN', 'rcnn'], ['Fast R-CNN', 'fast-rcnn'], ['Faster R-CNN', 'faster-rcnn']] as const) {
    const metrics = loadCheckpoint(checkpoints[kind]).meta!.metrics as { mAP: number; mAP50: number };
    const row = new RegExp(`<tr><td>${method}</td><td>[^<]+</td><td>[^<]+</td><td>\\d+</td><td>[\\d.]+</td><td>([\\d.]+)</td><td>([\\d.]+)</td>`).exec(section.html);
    assert.ok(row, `${method}: accuracy row`);
    assert.equal(row[1], metrics.mAP.toFixed(3), `${method}: held-out mAP`);
    assert.equal(row[2], metrics.mAP50.toFixed(3), `${method}: held-out mAP@0.5`);
  }
  assert.equal(printed.size, 3, 'three rows of times');
  const ratio = (id: string) => Number(new RegExp(`id="${id}">([\\d.]+)×<`).exec(section.html)?.[1]);
  const check = (id: string, a: number, b: number) => {
    const shown = ratio(id), exact = a / b;
    const slack = 0.05 + exact * (5e-5 / a + 5e-5 / b) * 1.01; // print rounding of the ratio and of both times
    assert.ok(Math.abs(shown - exact) <= slack, `${id}: printed ${shown}×, rows give ${a} / ${b} = ${exact}`);
  };
  const [r, f, ff] = ['R-CNN', 'Fast R-CNN', 'Faster R-CNN'].map((k) => printed.get(k)!);
  check('ratio-rcnn-fast-network', r.network, f.network);
  check('ratio-rcnn-fast-total', r.total, f.total);
  check('ratio-fast-faster-total', f.total, ff.total);
  // images are embedded as PNG data URLs
  assert.match(readFileSync(join(ctx.dir, 'detectors-masks.svg'), 'utf8'), /href="data:image\/png;base64,/);
  // the Mask R-CNN's held-out scores are those its checkpoint records
  const maskMetrics = readDetectorMeta(shippedMaskRcnnPath(), 'detseg-mask-rcnn').metrics as Record<string, number>;
  assert.ok(section.html.includes(`mask AP ${maskMetrics.maskAP.toFixed(3)} (AP@0.5 ${maskMetrics.maskAP50.toFixed(3)}), box mAP ${maskMetrics.mAP.toFixed(3)}`), 'mask AP sentence');

  // reference: positives = IoU ≥ 0.7 with some GT, or an anchor of maximal IoU for some GT (naive loops)
  const shown = Number(/id="detectors-positive-anchors">(\d+)</.exec(section.html)?.[1]);
  await initEngine();
  const recipe = DEFAULT_SYNTHETIC_RECIPE;
  const candidates = heldOutSet({ ...recipe, valImages: ANCHOR_CANDIDATES });
  const index = anchorImageIndex(candidates);
  for (const c of candidates) assert.ok(c.target.boxes.length <= candidates[index].target.boxes.length, 'the image with the most objects');
  assert.match(section.html, new RegExp(`Held-out image ${index} `));
  const gt = candidates[index].target.boxes;
  const { model } = loadFasterRcnn();
  const cells = recipe.imageSize / model.backbone.stride;
  const anchors = model.rpn.anchors(cells, cells);
  model.dispose();
  const n = anchors.length / 4, m = gt.length / 4;
  const iou = (g: number, j: number) => iouPair(gt[4 * g], gt[4 * g + 1], gt[4 * g + 2], gt[4 * g + 3], anchors[4 * j], anchors[4 * j + 1], anchors[4 * j + 2], anchors[4 * j + 3]);
  const positive = new Set<number>();
  for (let g = 0; g < m; g++) {
    let best = -1;
    for (let j = 0; j < n; j++) best = Math.max(best, iou(g, j));
    for (let j = 0; j < n; j++) if (iou(g, j) >= 0.7 || iou(g, j) === best) positive.add(j);
  }
  assert.ok(positive.size >= m);
  assert.equal(shown, positive.size);
});
