import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { SHAPE_CLASSES } from '../../../src/data/synthetic.js';
import { initEngine } from '../../../src/engine/setup.js';
import type { DetectorBenchRow } from '../../../src/benchmarks/detectors.js';
import { saveDetectorCheckpoint } from '../../../src/models/detection/checkpoint.js';
import type { DetectionSample } from '../../../src/models/detection/synthetic-data.js';
import { ssdDefaultBoxes } from '../../../src/models/ssd/default-boxes.js';
import { SSD } from '../../../src/models/ssd/ssd.js';
import { yoloPredictors } from '../../../src/models/yolov1/detections.js';
import { YOLOv1 } from '../../../src/models/yolov1/yolov1.js';
import { shippedCheckpoints } from '../../../src/pipeline/weights.js';
import { ReportContext } from '../../../src/report/report.js';
import {
  SCATTER_LAYOUT,
  defaultBoxRow,
  matchedOnMap,
  scatterRange,
  singleStageSection,
  ssdDefaultBoxFigure,
  ssdDefaultBoxSvg,
  ssdPart,
  tradeoffCheckpoints,
  tradeoffScatterSvg,
  yoloGridExplained,
  yoloGridSvg,
  yoloPart,
} from '../../../src/report/sections/single-stage.js';

/** Every `<tag …/>` element of an SVG as its attributes. */
function elements(svg: string, tag: string): Array<Record<string, string>> {
  return [...svg.matchAll(new RegExp(`<${tag}((?: [\\w:-]+="[^"]*")*)/>`, 'g'))].map((m) => Object.fromEntries([...m[1].matchAll(/ ([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
}

const near = (a: number | string, b: number, tol = 0.011) => Math.abs(Number(a) - b) <= tol;
const context = (name: string) => new ReportContext(mkdtempSync(join(tmpdir(), `detseg-${name}-`)), { retrain: false, quick: true, log: () => {} });
const row = (model: string, msPerImage: number, mAP: number, mAP50: number): DetectorBenchRow => ({ model, kind: 'x', runtime: 'tfjs', params: 1, msPerImage, mAP, mAP50 });

test('scatter: log-x decades around the rows, and each model\'s two markers at its (ms, mAP) and (ms, mAP@0.5), hand-computed', () => {
  const rows = [row('a', 2, 0.25, 0.5), row('b', 50, 0.5, 0.9), row('c', 20, 0, 1)];
  assert.deepEqual(scatterRange(rows), [1, 100]);
  assert.deepEqual(scatterRange([row('a', 5, 0, 0)]), [1, 10]);
  assert.deepEqual(scatterRange([row('a', 10, 0, 0)]), [10, 100]);
  const svg = tradeoffScatterSvg(rows);
  // plot 600 − 56 − 150 = 394 px wide from x = 56, 380 − 28 − 44 = 308 px high from y = 28; x spans log10 1 … log10 100
  assert.deepEqual([SCATTER_LAYOUT.width, SCATTER_LAYOUT.left, SCATTER_LAYOUT.right, SCATTER_LAYOUT.height, SCATTER_LAYOUT.top, SCATTER_LAYOUT.bottom], [600, 56, 150, 380, 28, 44]);
  const x = { a: 56 + (394 * Math.log10(2)) / 2, b: 56 + (394 * Math.log10(50)) / 2, c: 56 + (394 * Math.log10(20)) / 2 }; // 115.30, 390.70, 312.30
  const y = (v: number) => 28 + 308 * (1 - v);
  const dots = elements(svg, 'circle').filter((e) => e.class === 'map');
  const squares = elements(svg, 'rect').filter((e) => e.class === 'map50');
  assert.deepEqual(dots.map((d) => d['data-model']), ['a', 'b', 'c']);
  assert.deepEqual(squares.map((d) => d['data-model']), ['a', 'b', 'c']);
  rows.forEach((r, k) => {
    const m = r.model as 'a' | 'b' | 'c';
    assert.ok(near(dots[k].cx, x[m]) && near(dots[k].cy, y(r.mAP)), `${m}: dot at (${dots[k].cx}, ${dots[k].cy})`);
    assert.ok(near(Number(squares[k].x) + 4, x[m]) && near(Number(squares[k].y) + 4, y(r.mAP50)), `${m}: square at (${squares[k].x}, ${squares[k].y})`);
  });
  assert.ok(near(x.a, 115.3, 0.01) && near(x.b, 390.7, 0.01) && near(y(0.9), 58.8, 0.01));
  // the x ticks are the decades 1, 10, 100
  for (const t of ['1', '10', '100']) assert.match(svg, new RegExp(`>${t}</text>`));
});

test('YOLO grid figure: the grid lines, the cells of the object centres, every predictor clipped with opacity ∝ confidence, the detections (hand-worked 64² image, S = 4)', async () => {
  await initEngine();
  const model = new YOLOv1({ seed: 1, gridSize: 4, boxesPerCell: 2, backbone: { widths: [8, 16, 32] }, headWidth: 16 });
  try {
    // centres (10, 10) → cell (0, 0); (50, 25) → column ⌊50/16⌋ = 3, row ⌊25/16⌋ = 1 → cell 1·4 + 3 = 7
    const target = { boxes: Float32Array.of(0, 0, 20, 20, 40, 20, 60, 30), labels: Int32Array.of(1, 3) };
    const sample = { sample: { image: new Uint8Array(64 * 64 * 3).fill(90) }, target } as unknown as DetectionSample;
    const fig = yoloGridExplained(model, sample, 64, 0.05);
    assert.deepEqual(fig.centreCells, [0, 7]);
    assert.deepEqual(fig.centres, [[10, 10], [50, 25]]);
    assert.equal(fig.predictors.confidence.length, 4 * 4 * 2);
    const svg = yoloGridSvg(fig, 'x.png', SHAPE_CLASSES);
    // panel 1 at x = 10 (pad), 128 px (2× the image), cells of 32 px: lines at 10, 42, 74, 106, 138 both ways
    const lines = elements(svg, 'line').filter((e) => e.class === 'grid-line');
    assert.equal(lines.length, 10);
    const vertical = lines.filter((l) => l.x1 === l.x2).map((l) => Number(l.x1));
    const horizontal = lines.filter((l) => l.y1 === l.y2).map((l) => Number(l.y1));
    assert.deepEqual(vertical, [10, 42, 74, 106, 138]);
    assert.deepEqual(horizontal, [10, 42, 74, 106, 138]);
    const cells = elements(svg, 'rect').filter((e) => e.class === 'centre-cell').map((e) => [e.x, e.y, e.width, e.height].map(Number));
    assert.deepEqual(cells, [[10, 10, 32, 32], [106, 42, 32, 32]]);
    // panel 2 from x = 148 + 10: every predictor, clipped to the image, opacity = C / max C
    const most = Math.max(...fig.predictors.confidence);
    const predictors = elements(svg, 'rect').filter((e) => e.class === 'predictor');
    assert.equal(predictors.length, 32);
    for (const p of predictors) {
      const r = Number(p['data-row']);
      const clip = (v: number) => Math.min(64, Math.max(0, v));
      const [x1, y1, x2, y2] = [0, 1, 2, 3].map((q) => clip(fig.predictors.boxes[4 * r + q]));
      assert.ok(near(p.x, 158 + 2 * x1) && near(p.y, 10 + 2 * y1) && near(p.width, 2 * (x2 - x1)) && near(p.height, 2 * (y2 - y1)), `predictor ${r}`);
      assert.ok(near(p['stroke-opacity'], fig.predictors.confidence[r] / most, 0.006), `predictor ${r} opacity`);
    }
    // panel 3 from x = 296 + 10: the detections
    const drawn = elements(svg, 'rect').filter((e) => e.class === 'detection');
    assert.equal(drawn.length, fig.detections.scores.length);
    assert.match(svg, /3\. p\(c\)·C &gt; 0\.05, then NMS/);
    drawn.forEach((d, k) => assert.ok(near(d.x, 306 + 2 * fig.detections.boxes[4 * k]) && near(d.width, 2 * (fig.detections.boxes[4 * k + 2] - fig.detections.boxes[4 * k])), `detection ${k}`));
  } finally {
    model.dispose();
  }
});

test('yoloPredictors of the figure equal a decoding of the raw output by hand (cell offsets, √w², √h²)', async () => {
  await initEngine();
  const model = new YOLOv1({ seed: 2, gridSize: 2, boxesPerCell: 1, backbone: { widths: [8, 16, 32] }, headWidth: 8 });
  try {
    const sample = { sample: { image: new Uint8Array(32 * 32 * 3).fill(128) }, target: { boxes: Float32Array.of(2, 2, 10, 10), labels: Int32Array.of(2) } } as unknown as DetectionSample;
    const fig = yoloGridExplained(model, sample, 32);
    const x = tf.tensor4d(new Float32Array(32 * 32 * 3).fill(128 / 127.5 - 1), [1, 32, 32, 3]);
    const raw = model.forward(x, false);
    const v = raw.dataSync();
    tf.dispose([x, raw]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      const o = (i * 2 + j) * 8; // 5·1 + 3 channels per cell
      const cx = ((j + v[o]) / 2) * 32, cy = ((i + v[o + 1]) / 2) * 32, w = v[o + 2] ** 2 * 32, h = v[o + 3] ** 2 * 32;
      [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2].forEach((e, q) => assert.ok(Math.abs(fig.predictors.boxes[4 * (i * 2 + j) + q] - e) < 1e-3, `cell (${i}, ${j}) value ${q}`));
      assert.ok(Math.abs(fig.predictors.confidence[i * 2 + j] - v[o + 4]) < 1e-6);
    }
    assert.deepEqual([...fig.predictors.boxes], [...yoloPredictors(v, model.grid, 32, 32).boxes]);
  } finally {
    model.dispose();
  }
});

test('SSD figure: default boxes of a 2×2 and a 1×1 map by hand, matched boxes by hand, the drawn boxes are ssdDefaultBoxes rows', () => {
  const maps: Array<[number, number]> = [[2, 2], [1, 1]];
  const defaults = ssdDefaultBoxes(maps, 100, 100); // s = 0.2, 0.9 (and 1 for the last extra box); ratios 1, 2, 3, 1/2, 1/3 + extra: 6 per location
  assert.equal(defaults.length / 4, (4 + 1) * 6);
  const box = (d: number) => [...defaults.subarray(4 * d, 4 * d + 4)];
  const close = (a: number[], b: number[]) => a.every((v, q) => Math.abs(v - b[q]) < 1e-3);
  // map 0, location (0, 0): centre (25, 25); ratio 1 is 20×20, ratio 2 is 28.28×14.14, the extra box √(0.2·0.9)·100 = 42.43 wide
  assert.ok(close(box(0), [15, 15, 35, 35]));
  assert.ok(close(box(1), [25 - 14.1421, 25 - 7.0711, 25 + 14.1421, 25 + 7.0711]));
  assert.ok(close(box(5), [25 - 21.2132, 25 - 21.2132, 25 + 21.2132, 25 + 21.2132]));
  // map 1 (one location, rows 24..29): centre (50, 50); ratio 1 is 90×90, the extra √(0.9·1)·100 = 94.87
  assert.ok(close(box(24), [5, 5, 95, 95]));
  assert.ok(close(box(29), [50 - 47.4342, 50 - 47.4342, 50 + 47.4342, 50 + 47.4342]));
  // one object [5, 5, 95, 95]: on map 1 ratio 1 (IoU 1), the extra box (8100/9000 = 0.9), ratios 2 and 1/2
  // (90·63.64 / (2·8100 − 90·63.64) = 0.547) match; ratios 3 and 1/3 (0.406) and every map-0 box (≤ 0.22) do not
  const fig = ssdDefaultBoxFigure(defaults, maps, 6, Float32Array.of(5, 5, 95, 95), 100);
  assert.deepEqual(fig.drawn, [0, 1]);
  assert.deepEqual([...fig.match].map((q, d) => (q >= 0 ? d : -1)).filter((d) => d >= 0), [24, 25, 27, 29]);
  assert.deepEqual(matchedOnMap(fig, 1), { rows: [24, 25, 27, 29], aboveThreshold: 4 });
  assert.deepEqual(matchedOnMap(fig, 0), { rows: [], aboveThreshold: 0 });
  // map 0 has no match: its drawn location is the one holding the object's centre (50, 50) → (1, 1)
  assert.deepEqual(fig.locations, [[1, 1], [0, 0]]);
  assert.equal(defaultBoxRow(fig, 0, 1, 1), 18);
  // a ground truth matched only as its own best box (IoU 100/300 ≤ 0.5) counts as matched, not above the threshold
  const one = ssdDefaultBoxFigure(Float32Array.of(0, 0, 10, 10, 10, 0, 20, 10), [[1, 2]], 1, Float32Array.of(0, 0, 10, 30), 30);
  assert.deepEqual(one.drawn, [0]);
  assert.deepEqual(matchedOnMap(one, 0), { rows: [0], aboveThreshold: 0 });
  assert.deepEqual(one.locations, [[0, 0]]);
  const svg = ssdDefaultBoxSvg(fig, 'x.png');
  const images = elements(svg, 'image').map((e) => [Number(e.x), Number(e.y)]);
  assert.equal(images.length, 2);
  const drawnRows = elements(svg, 'rect').filter((e) => e.class === 'default-box');
  assert.deepEqual(drawnRows.map((e) => Number(e['data-row'])), [18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
  for (const e of drawnRows) {
    const d = Number(e['data-row']);
    const [ox, oy] = images[d < 24 ? 0 : 1];
    const [x1, y1, x2, y2] = box(d);
    assert.ok(near(e.x, ox + 2 * x1) && near(e.y, oy + 2 * y1) && near(e.width, 2 * (x2 - x1)) && near(e.height, 2 * (y2 - y1)), `default box ${d}`);
  }
  const matched = elements(svg, 'rect').filter((e) => e.class === 'matched-box').map((e) => Number(e['data-row']));
  assert.deepEqual(matched, [24, 25, 27, 29]);
  // the margin holds the widest drawn box: ratio 3 of map 1 reaches 50 − 77.94 = −27.94 px → ⌈55.9⌉ + 8 = 64 px
  assert.deepEqual(images[0], [64, 64]);
});

test('tradeoffCheckpoints: shipped detectors of the shapes, retrained files replace them, one-object and other-class models are left out with the reason', () => {
  const shipped = shippedCheckpoints().filter((s) => existsSync(s.path));
  const { used, left } = tradeoffCheckpoints(new Map([['missing', '/nonexistent/x.ckpt']]));
  const names = [...used.map((u) => u.name), ...left.map((l) => l.split(' ')[0])];
  assert.deepEqual(names.sort(), shipped.map((s) => s.name).sort());
  for (const u of used) assert.ok(['rcnn', 'fast-rcnn', 'faster-rcnn', 'mask-rcnn', 'yolov1', 'ssd', 'detr'].includes(u.kind), u.kind);
  if (shipped.some((s) => s.name === 'classloc')) assert.ok(left.includes('classloc (one object per image)'));
  if (shipped.some((s) => s.name === 'pedestrian-mask-rcnn')) assert.ok(left.includes('pedestrian-mask-rcnn (classes person)'));
  const faster = shipped.find((s) => s.name === 'faster-rcnn');
  if (faster) {
    const replaced = tradeoffCheckpoints(new Map([['faster-rcnn', join(faster.path, '..', 'detector-faster-rcnn-small.ckpt')]]));
    assert.equal(replaced.used.find((u) => u.name === 'faster-rcnn')!.path, join(faster.path, '..', 'detector-faster-rcnn-small.ckpt'));
  }
});

test('without a YOLOv1 or SSD checkpoint each part is one line and no figure', async () => {
  const ctx = context('single-stage-none');
  const yolo = await yoloPart(ctx, undefined);
  const ssd = await ssdPart(ctx, undefined);
  assert.match(yolo, /No YOLOv1 \(Redmon et al\. 2016\) checkpoint is shipped/);
  assert.match(ssd, /No SSD \(Liu et al\. 2016\) checkpoint is shipped/);
  assert.deepEqual(ctx.figures, []);
});

test('single-stage section (quick) with YOLOv1 and SSD checkpoints retrained in the run: every figure renders, the scatter has one point per table row', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-single-stage-ckpt-'));
  const ctx = context('single-stage');
  const yoloOptions = { numClasses: 3, seed: 0, gridSize: 8, backbone: { widths: [8, 16, 32] }, headWidth: 16 };
  const ssdOptions = { numClasses: 3, seed: 0, backbone: { widths: [8, 16, 32] }, featureStages: [1, 2], extraLayers: 2, extraWidth: 16, sMin: 0.1, sMax: 0.9 };
  const yolo = new YOLOv1(yoloOptions), ssd = new SSD(ssdOptions);
  saveDetectorCheckpoint(join(dir, 'yolov1.ckpt'), yolo.models(), { format: 'detseg-yolov1', options: yoloOptions, classes: [...SHAPE_CLASSES], imgsz: 128 });
  saveDetectorCheckpoint(join(dir, 'ssd.ckpt'), ssd.models(), { format: 'detseg-ssd', options: ssdOptions, classes: [...SHAPE_CLASSES], imgsz: 128 });
  yolo.dispose();
  ssd.dispose();
  ctx.checkpoints.set('yolov1', join(dir, 'yolov1.ckpt'));
  ctx.checkpoints.set('ssd', join(dir, 'ssd.ckpt'));
  const section = await singleStageSection(ctx);
  assert.equal(section.id, 'single-stage');
  assert.deepEqual(ctx.figures, ['single-stage-tradeoff.svg', 'single-stage-yolo-grid.svg', 'single-stage-ssd-default-boxes.svg']);
  for (const name of ctx.figures) {
    assert.ok(section.html.includes(`src="${name}"`), `${name} is referenced`);
    assert.ok((await sharp(join(ctx.dir, name)).png().toBuffer()).length > 100, `${name} renders`);
  }
  const tableModels = [...section.html.matchAll(/<tr><td>([^<]+)<\/td>/g)].map((m) => m[1]);
  assert.ok(tableModels.includes('yolov1') && tableModels.includes('ssd'), tableModels.join(', '));
  const svg = readFileSync(join(ctx.dir, 'single-stage-tradeoff.svg'), 'utf8');
  assert.deepEqual(elements(svg, 'circle').filter((e) => e.class === 'map').map((e) => e['data-model']), tableModels);
  // the YOLO figure: S = 8 → 8·8·2 predictors; the SSD caption's per-map counts are the drawn matched boxes
  const grid = readFileSync(join(ctx.dir, 'single-stage-yolo-grid.svg'), 'utf8');
  assert.equal(elements(grid, 'rect').filter((e) => e.class === 'predictor').length, 128);
  const boxes = readFileSync(join(ctx.dir, 'single-stage-ssd-default-boxes.svg'), 'utf8');
  assert.equal(elements(boxes, 'rect').filter((e) => e.class === 'default-box').length, 12); // 6 per location, one location on each of the 8×8 and 4×4 maps
  const counts = [...section.html.matchAll(/(\d+)×\d+: (\d+) matched/g)].map((m) => Number(m[2]));
  assert.equal(counts.reduce((s, c) => s + c, 0), elements(boxes, 'rect').filter((e) => e.class === 'matched-box').length);
  assert.match(section.html, /8×8, 4×4\)/);
});
