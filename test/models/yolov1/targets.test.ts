import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { yoloLoss } from '../../../src/models/yolov1/loss.js';
import { yoloTargets } from '../../../src/models/yolov1/targets.js';
import type { YoloGrid } from '../../../src/models/yolov1/output.js';
import { mulberry32 } from '../../../src/util/random.js';

const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

/**
 * The lecture's worked example: a 3×3 grid, one box per cell (B = 1), two classes (cat = 1, human = 2),
 * so y is 3×3×(5·1 + 2) = 3×3×7. A 300×300 image (100-pixel cells) holds a cat with box
 * [120, 30, 220, 180]: its centre (170, 105) falls in the middle cell (row 1, column 1) at
 * (0.70, 0.05) of that cell; it is 100/300 of the image wide and 150/300 high. In detseg's layout
 * (x, y, √w, √h, C, p(cat), p(human)) the middle cell's y is [0.7, 0.05, √(1/3), √(1/2), 1, 1, 0]
 * (the lecture's [p_c, b_x, b_y, b_h, b_w, c_1, c_2] = [1, 0.7, 0.05, 0.5, 1/3, 1, 0] before the square
 * roots); every other cell holds no object, so only its p_c = 0 counts.
 */
test('YOLOv1 targets: the lecture\'s worked example (S = 3, B = 1, cat and human)', () => {
  const grid: YoloGrid = { s: 3, b: 1, c: 2 };
  const prediction = new Float32Array(3 * 3 * 7).fill(0.5); // any current prediction: B = 1 makes the one predictor responsible
  const t = yoloTargets(prediction, { boxes: Float32Array.of(120, 30, 220, 180), labels: Int32Array.of(1) }, grid, 300, 300, { confidence: 'one' });
  const middle = 1 * 3 + 1;
  const y = [...t.box.subarray(4 * middle, 4 * middle + 4), t.confidence[middle], ...t.classes.subarray(2 * middle, 2 * middle + 2)];
  const expected = [0.7, 0.05, Math.sqrt(1 / 3), Math.sqrt(1 / 2), 1, 1, 0];
  y.forEach((v, k) => assert.ok(close(v, expected[k]), `y[${k}] = ${v}, expected ${expected[k]}`));
  assert.equal(t.obj[middle], 1);
  assert.equal(t.cell[middle], 1);
  for (let cell = 0; cell < 9; cell++) {
    if (cell === middle) continue;
    assert.equal(t.obj[cell], 0, `cell ${cell}: no predictor responsible`);
    assert.equal(t.cell[cell], 0);
    assert.equal(t.confidence[cell], 0, `cell ${cell}: p_c = 0`);
  }
});

test('YOLOv1 loss: in an empty cell only p_c counts, weighted by λnoobj', async () => {
  await initEngine();
  const grid: YoloGrid = { s: 3, b: 1, c: 2 };
  const random = mulberry32(4);
  const base = Float32Array.from({ length: 63 }, () => 0.05 + 0.9 * random());
  const target = { boxes: Float32Array.of(120, 30, 220, 180), labels: Int32Array.of(1) };
  const lossOf = (p: Float32Array) => {
    const losses = yoloLoss(tf.tensor4d(p, [1, 3, 3, 7]), [yoloTargets(p, target, grid, 300, 300, { confidence: 'one' })], grid);
    return Object.values(losses).reduce((s, l) => s + l.dataSync()[0], 0);
  };
  const empty = 0; // cell (0, 0)
  const moved = base.slice();
  for (const k of [0, 1, 2, 3, 5, 6]) moved[empty * 7 + k] = 0.05 + 0.9 * random(); // x, y, √w, √h and the class scores
  assert.ok(close(lossOf(moved), lossOf(base)), 'the box and class outputs of an empty cell do not count');
  const conf = base.slice();
  conf[empty * 7 + 4] = 0.9;
  assert.ok(close(lossOf(conf) - lossOf(base), 0.5 * (0.9 ** 2 - base[4] ** 2)), 'its confidence counts as λnoobj (C − 0)²');
});

/** IoU written out again for the naive reference. */
function naiveIou(a: number[], b: number[]): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])), ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

/** The lecture's loss of one image with a naive loop over cells, predictors and objects (one object per cell). */
function naiveLoss(p: Float32Array, boxes: number[][], labels: number[], s: number, b: number, c: number, width: number, height: number, iouTarget: boolean): Record<string, number> {
  const ch = 5 * b + c;
  const at = (i: number, j: number, k: number) => p[(i * s + j) * ch + k];
  const out = { loss_coord: 0, loss_size: 0, loss_obj: 0, loss_noobj: 0, loss_class: 0 };
  const responsible = new Set<string>();
  boxes.forEach((g, o) => {
    const gx = (g[0] + g[2]) / 2, gy = (g[1] + g[3]) / 2;
    const i = Math.floor((gy / height) * s), j = Math.floor((gx / width) * s);
    let best = 0, bestIou = -1;
    for (let k = 0; k < b; k++) {
      const cx = ((j + at(i, j, 5 * k)) * width) / s, cy = ((i + at(i, j, 5 * k + 1)) * height) / s;
      const w = at(i, j, 5 * k + 2) ** 2 * width, h = at(i, j, 5 * k + 3) ** 2 * height;
      const iou = naiveIou([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], g);
      if (iou > bestIou) [best, bestIou] = [k, iou];
    }
    responsible.add(`${i},${j},${best}`);
    const tx = (gx / width) * s - j, ty = (gy / height) * s - i;
    out.loss_coord += 5 * ((at(i, j, 5 * best) - tx) ** 2 + (at(i, j, 5 * best + 1) - ty) ** 2);
    out.loss_size += 5 * ((at(i, j, 5 * best + 2) - Math.sqrt((g[2] - g[0]) / width)) ** 2 + (at(i, j, 5 * best + 3) - Math.sqrt((g[3] - g[1]) / height)) ** 2);
    out.loss_obj += (at(i, j, 5 * best + 4) - (iouTarget ? bestIou : 1)) ** 2;
    for (let cls = 0; cls < c; cls++) out.loss_class += (at(i, j, 5 * b + cls) - (cls === labels[o] - 1 ? 1 : 0)) ** 2;
  });
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) for (let k = 0; k < b; k++) if (!responsible.has(`${i},${j},${k}`)) out.loss_noobj += 0.5 * at(i, j, 5 * k + 4) ** 2;
  return out;
}

test('YOLOv1 loss on a tiny case equals a naive loop over cells and predictors, term by term (IoU and unit confidence targets)', async () => {
  await initEngine();
  const grid: YoloGrid = { s: 2, b: 2, c: 3 };
  const width = 64, height = 48;
  const random = mulberry32(11);
  // objects in three different cells of two images; predictions close enough to overlap them
  const images = [
    { boxes: [[4, 3, 28, 20], [40, 10, 60, 40]], labels: [2, 1] },
    { boxes: [[20, 26, 50, 46]], labels: [3] },
  ];
  const predictions = images.map(() => Float32Array.from({ length: 2 * 2 * 13 }, () => 0.1 + 0.8 * random()));
  for (const iouTarget of [true, false]) {
    const targets = images.map((im, n) => yoloTargets(predictions[n], { boxes: Float32Array.from(im.boxes.flat()), labels: Int32Array.from(im.labels) }, grid, width, height, { confidence: iouTarget ? 'iou' : 'one' }));
    const stacked = new Float32Array(2 * 52);
    predictions.forEach((p, n) => stacked.set(p, 52 * n));
    const losses = yoloLoss(tf.tensor4d(stacked, [2, 2, 2, 13]), targets, grid);
    const naive = images.map((im, n) => naiveLoss(predictions[n], im.boxes, im.labels, 2, 2, 3, width, height, iouTarget));
    assert.ok(targets.some((t) => t.confidence.some((v) => v > 0 && v < 1)) || !iouTarget, 'some IoU targets strictly between 0 and 1');
    for (const name of Object.keys(naive[0])) {
      const expected = (naive[0][name as keyof typeof naive[0]] + naive[1][name as keyof typeof naive[0]]) / 2; // averaged over the images
      const got = losses[name].dataSync()[0];
      assert.ok(close(got, expected), `${name} (IoU targets ${iouTarget}): ${got} vs naive ${expected}`);
    }
  }
});

test('YOLOv1 targets: two objects in one cell take the two predictors, the larger object gives the class', () => {
  const grid: YoloGrid = { s: 1, b: 2, c: 2 };
  const prediction = Float32Array.of(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.9, 0.9, 0.5, 0.5, 0.5); // predictor 1 is the larger box
  const t = yoloTargets(prediction, { boxes: Float32Array.of(40, 40, 60, 60, 10, 10, 90, 90), labels: Int32Array.of(1, 2) }, grid, 100, 100);
  assert.deepEqual([...t.obj], [1, 1]);
  // the large object (label 2) goes first and claims predictor 1 (√w = 0.9: 81 px wide, IoU 0.9755 with it)
  assert.ok(close(t.box[4 + 2], Math.sqrt(0.8)) && close(t.box[2], Math.sqrt(0.2)));
  assert.ok(close(t.confidence[1], (80 * 80) / (81 * 81)));
  assert.deepEqual([...t.classes], [0, 1]);
});
