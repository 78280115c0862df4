import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { SHAPE_CLASSES } from '../../src/data/synthetic.js';
import { initEngine } from '../../src/engine/setup.js';
import { evaluateCocoJson, COCO_STAT_NAMES } from '../../src/eval/coco.js';
import { DEFAULT_SYNTHETIC_RECIPE, heldOutSet } from '../../src/models/detection/recipe.js';
import { trainOnSynthetic } from '../../src/models/train-synthetic.js';
import { readDetectorMeta } from '../../src/models/detection/checkpoint.js';
import { averagePrecision11Point, evaluateVoc } from '../../src/eval/voc.js';
import { practicalSections } from '../../src/report/practical.js';
import { ReportContext } from '../../src/report/report.js';
import { anchorsSection } from '../../src/report/sections/anchors.js';
import {
  apPerIouThreshold,
  elevenPointSamples,
  equalsPublished,
  evaluationSection,
  fasterRcnnEvaluation,
  loadEvalDemo,
  QUICK_DETECTOR_IMAGES,
  workedRows,
} from '../../src/report/sections/evaluation.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { assetsDir, packageRoot } from '../../src/util/paths.js';

const FIXTURES = join(packageRoot(), 'test', 'fixtures');
const TOY = join(FIXTURES, 'voc', 'voc_toy_cats');
const published = JSON.parse(readFileSync(join(TOY, 'expected_published.json'), 'utf8')) as Record<string, { eleven_point: number; every_point: number }>;

function context(): ReportContext {
  return new ReportContext(mkdtempSync(join(tmpdir(), 'detseg-eval-report-')), { retrain: false, quick: true, log: () => {} });
}

test('assets/eval-demo holds the toy example byte for byte as the test fixtures (ground truth XML, xyxy detections)', () => {
  for (const [here, there] of [['ground-truth', 'gts_vocpascal_format'], ['detections', 'dets_classname_abs_xyx2y2']]) {
    const files = readdirSync(join(TOY, there)).sort();
    assert.deepEqual(readdirSync(assetsDir('eval-demo', here)).sort(), files);
    for (const f of files) assert.ok(readFileSync(assetsDir('eval-demo', here, f)).equals(readFileSync(join(TOY, there, f))), `${here}/${f}`);
  }
  const demo = loadEvalDemo();
  const count = (f: (im: (typeof demo.dataset.images)[number]) => number) => demo.dataset.images.reduce((s, im) => s + f(im), 0);
  assert.equal(demo.dataset.images.length, 10);
  assert.equal(count((im) => im.gtClasses.length), 12);
  assert.equal(count((im) => im.dtScores.length), 12);
  assert.equal(demo.cocoResults.length, 12);
});

test('worked rows: detections in score order; IoU, precision and recall as worked by hand', () => {
  const demo = loadEvalDemo();
  const cat = evaluateVoc(demo.dataset).classes[0];
  const rows = workedRows(demo.dataset, cat);
  assert.deepEqual(rows.map((r) => r.score), [0.99, 0.98, 0.95, 0.95, 0.94, 0.92, 0.89, 0.86, 0.85, 0.82, 0.81, 0.76]);
  // rank 1: detection (29, 0, 268, 287) of 2008_006599 and its object (34, 1, 281, 283):
  // intersection 234 × 282 = 65988, union 239·287 + 247·282 − 65988 = 72259
  assert.equal(rows[0].image, '2008_006599');
  assert.ok(Math.abs(rows[0].iou - 65988 / 72259) < 1e-12);
  // the only false positive at IoU 0.5 is rank 9 (2007_000733: no overlap with its cat)
  assert.deepEqual(rows.map((r) => (r.tp ? 1 : 0)), [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1]);
  assert.equal(rows[8].iou, 0);
  assert.deepEqual([rows[8].precision, rows[8].recall], [8 / 9, 8 / 12]);
  assert.deepEqual([rows[11].precision, rows[11].recall, rows[11].cumFp], [11 / 12, 11 / 12, 1]);
  for (const r of rows) assert.equal(r.tp, r.iou >= 0.5, `rank ${r.rank}: a TP exactly when IoU ≥ 0.5 (no object is matched twice here)`);
});

test('11-point samples: by hand at IoU 0.5 (1 up to recall 0.6, 11/12 at 0.7–0.9, 0 at 1), their mean is the library AP and the published one', () => {
  const cat = evaluateVoc(loadEvalDemo().dataset).classes[0];
  const samples = elevenPointSamples(cat.curve.recall, cat.curve.precision);
  assert.deepEqual(Array.from(samples), [1, 1, 1, 1, 1, 1, 1, 11 / 12, 11 / 12, 11 / 12, 0]);
  const mean = samples.reduce((s, v) => s + v, 0) / 11;
  assert.ok(Math.abs(mean - averagePrecision11Point(cat.curve.recall, cat.curve.precision)) < 1e-15);
  assert.equal(Number(mean.toFixed(4)), published['AP@0.5'].eleven_point);
  const cat075 = evaluateVoc(loadEvalDemo().dataset, { iouThreshold: 0.75 }).classes[0];
  const s075 = elevenPointSamples(cat075.curve.recall, cat075.curve.precision);
  assert.equal(Number((s075.reduce((s, v) => s + v, 0) / 11).toFixed(4)), published['AP@0.75'].eleven_point);
});

test('equalsPublished compares at the published 4 decimals', () => {
  assert.ok(equalsPublished(0.8958333333, 0.8958));
  assert.ok(equalsPublished(0.88636, 0.8864));
  assert.ok(!equalsPublished(0.8956, 0.8958));
});

test('COCO conversion in memory = the COCO files published with the example (ids from 1); with its annotation id 0, pycocotools\' numbers', () => {
  const demo = loadEvalDemo();
  const ours = evaluateCocoJson(demo.cocoGt, demo.cocoResults);
  // the published COCO version, with annotation ids shifted to start at 1 (no id 0)
  const gt = JSON.parse(readFileSync(join(FIXTURES, 'coco', 'toy_cats_gt.json'), 'utf8'));
  const dets = JSON.parse(readFileSync(join(FIXTURES, 'coco', 'toy_cats_dets.json'), 'utf8')).annotations;
  const shifted = { ...gt, annotations: gt.annotations.map((a: { id: number }) => ({ ...a, id: a.id + 1 })) };
  assert.deepEqual(ours.stats, evaluateCocoJson(shifted, dets).stats);
  // our conversion with the first annotation numbered 0, as the published file: pycocotools 2.0.11's stats bit for bit
  const oracle = JSON.parse(readFileSync(join(FIXTURES, 'coco', 'expected_oracle_stats.json'), 'utf8')).bbox_toy_cats_gt_ann_id0_as_committed;
  const quirk = evaluateCocoJson({ ...demo.cocoGt, annotations: demo.cocoGt.annotations.map((a, i) => (i === 0 ? { ...a, id: 0 } : a)) }, demo.cocoResults);
  assert.deepEqual(quirk.stats, COCO_STAT_NAMES.map((n) => oracle[n]));
});

test('AP per IoU threshold from the precision array: AP50 and AP75 exactly, their mean AP@[.50:.95]', () => {
  const demo = loadEvalDemo();
  const coco = evaluateCocoJson(demo.cocoGt, demo.cocoResults);
  const ap = apPerIouThreshold(coco);
  assert.equal(ap.length, 10);
  assert.equal(ap[0], coco.stats[1]);
  assert.equal(ap[5], coco.stats[2]);
  assert.ok(Math.abs(ap.reduce((s, v) => s + v, 0) / 10 - coco.stats[0]) < 1e-12);
  for (let t = 1; t < 10; t++) assert.ok(ap[t] <= ap[t - 1], 'AP cannot rise with a stricter threshold');
});

test('the section, built through a ReportContext: its figures exist and render, and every AP shown is the library\'s', async () => {
  const ctx = context();
  const section = await evaluationSection(ctx);
  assert.equal(section.id, 'evaluation');
  // the shipped Faster R-CNN part comes last (quick: its first held-out images only)
  assert.deepEqual(ctx.figures, ['eval-toy-pr-05.svg', 'eval-toy-pr-075.svg', 'eval-toy-ap-vs-iou.svg', 'eval-frcnn-pr.svg', 'eval-frcnn-confusion.svg']);
  assert.ok(section.html.includes(`on the first ${QUICK_DETECTOR_IMAGES} of the 200 held-out synthetic images`));
  for (const f of ctx.figures.slice(0, 3)) {
    assert.ok(existsSync(join(ctx.dir, f)), f);
    assert.match(section.html, new RegExp(`<img src="${f}"`));
    const meta = await sharp(readFileSync(join(ctx.dir, f))).metadata();
    assert.deepEqual([meta.width, meta.height], [520, 320], `${f} renders`);
  }
  const demo = loadEvalDemo();
  for (const t of ['0.5', '0.75']) {
    for (const [interp, key] of [['all', 'every_point'], ['11', 'eleven_point']] as const) {
      const r = evaluateVoc(demo.dataset, { iouThreshold: Number(t), interp });
      const pub = published[`AP@${t}`][key];
      const row = `<td>mAP@${t} (1 class)</td><td>${(100 * r.mAP).toFixed(4)} %</td><td>${(100 * pub).toFixed(2)} %</td><td>✓</td>`;
      assert.ok(section.html.includes(row), `row ${t} ${interp}: ${row}`);
      const svg = readFileSync(join(ctx.dir, `eval-toy-pr-${t.replace('.', '')}.svg`), 'utf8');
      assert.ok(svg.includes(interp === 'all' ? `all-point envelope: AP ${(100 * r.mAP).toFixed(2)} %` : `11-point samples: AP ${(100 * r.mAP).toFixed(2)} %`), `figure ${t} ${interp}`);
    }
  }
  const coco = evaluateCocoJson(demo.cocoGt, demo.cocoResults);
  for (const line of coco.lines) assert.ok(section.html.includes(line.replace(/</g, '&lt;')), line);
  COCO_STAT_NAMES.forEach((n, i) => coco.stats[i] >= 0 && assert.ok(section.html.includes(`<td>${n}</td><td>${coco.stats[i].toFixed(4)}</td>`), n));
  // the worked table: 12 detection rows with the FP at rank 9
  assert.match(section.html, /<td>9<\/td><td>2007_000733<\/td><td>0\.85<\/td><td>0\.000<\/td><td>FP<\/td><td>8<\/td><td>1<\/td><td>8\/9 = 0\.889<\/td>/);
});

test('the practical lists the evaluation section right after anchors', async () => {
  const builders = await practicalSections();
  assert.equal(builders.indexOf(evaluationSection), builders.indexOf(anchorsSection) + 1);
});

test('bad eval-demo files give a DetsegInputError naming the file and field', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'detseg-eval-demo-')), 'demo');
  cpSync(assetsDir('eval-demo'), dir, { recursive: true });
  writeFileSync(join(dir, 'expected_published.json'), JSON.stringify({ 'AP@0.5': { eleven_point: 0.8864 } }));
  assert.throws(() => loadEvalDemo(dir), (e: unknown) => e instanceof DetsegInputError && /expected_published\.json: AP@0\.5/.test(e.message));
  cpSync(assetsDir('eval-demo', 'expected_published.json'), join(dir, 'expected_published.json'));
  writeFileSync(join(dir, 'detections', '2007_000549.txt'), 'cat 0.94 12 44 344\n');
  assert.throws(() => loadEvalDemo(dir), (e: unknown) => e instanceof DetsegInputError && /2007_000549\.txt/.test(e.message));
  cpSync(assetsDir('eval-demo', 'detections', '2007_000549.txt'), join(dir, 'detections', '2007_000549.txt'));
  const xml = join(dir, 'ground-truth', '2007_000733.xml');
  writeFileSync(xml, readFileSync(xml, 'utf8').replace('<filename>2007_000733.jpg</filename>', '<filename>other.jpg</filename>'));
  assert.throws(() => loadEvalDemo(dir), (e: unknown) => e instanceof DetsegInputError && e.message.includes('2007_000733.xml: annotation.filename'));
});

test('Faster R-CNN part on a 2-step checkpoint: COCO stats equal those its training recorded; every object in one column of the confusion matrix', async () => {
  await initEngine();
  const ckpt = join(mkdtempSync(join(tmpdir(), 'detseg-eval-frcnn-')), 'tiny.ckpt');
  const recipe = { ...DEFAULT_SYNTHETIC_RECIPE, valImages: 8 };
  trainOnSynthetic('faster-rcnn', { steps: 2, learningRate: 1e-3, out: ckpt, recipe });
  const ctx = context();
  const r = await fasterRcnnEvaluation(ctx, ckpt, 100);
  assert.equal(r.images, 8, 'at most the recipe\'s held-out images');
  const recorded = readDetectorMeta(ckpt, 'detseg-faster-rcnn').metrics as { mAP: number; mAP50: number; mAP75: number };
  assert.deepEqual(r.coco.stats.slice(0, 3), [recorded.mAP, recorded.mAP50, recorded.mAP75]);
  assert.match(r.html, /the same as now ✓/);
  // each held-out object is counted once, in its true class's column (matched, confused, or missed = background row)
  const objects = heldOutSet(recipe).map((s) => s.sample.labels);
  for (let t = 0; t < SHAPE_CLASSES.length; t++) {
    let column = 0;
    for (let p = 0; p <= SHAPE_CLASSES.length; p++) column += r.confusion.at(p, t);
    assert.equal(column, objects.reduce((n, labels) => n + labels.filter((l) => l === t).length, 0), SHAPE_CLASSES[t]);
  }
  for (const c of r.voc.classes) assert.ok(r.html.includes(`<td>${c.ap.toFixed(4)}</td><td>${c.numGt}</td><td>${c.tp}</td><td>${c.fp}</td>`), c.className);
  for (const f of ['eval-frcnn-pr.svg', 'eval-frcnn-confusion.svg']) assert.ok(existsSync(join(ctx.dir, f)) && r.html.includes(`<img src="${f}"`), f);
  for (const line of r.coco.lines) assert.ok(r.html.includes(line.replace(/</g, '&lt;')), line);
});
