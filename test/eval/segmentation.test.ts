import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../src/util/random.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { SegmentationConfusion, binaryDice, binaryIou } from '../../src/eval/segmentation.js';

test('hand-worked 3×4 image: pixel accuracy, IoU, Dice; a class absent from both is NaN and left out of the means', () => {
  const truth = [0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0];
  const pred = [0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 2];
  const conf = new SegmentationConfusion(4);
  conf.add(pred, truth);
  // counts (truth → predicted): 0→0 ×5, 0→1 ×1, 0→2 ×1, 1→1 ×4, 1→0 ×1
  assert.deepEqual(Array.from(conf.counts), [5, 1, 1, 0, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const m = conf.metrics();
  assert.equal(m.pixelAccuracy, 9 / 12);
  // class 0: TP 5, FP 1, FN 2; class 1: TP 4, FP 1, FN 1; class 2: predicted once, never true; class 3 absent
  assert.deepEqual(Array.from(m.iou.subarray(0, 3)), [5 / 8, 4 / 6, 0]);
  assert.ok(Number.isNaN(m.iou[3]));
  assert.deepEqual(Array.from(m.dice.subarray(0, 3)), [10 / 13, 8 / 10, 0]);
  assert.deepEqual(Array.from(m.present), [1, 1, 1, 0]);
  assert.equal(m.meanIou, (5 / 8 + 4 / 6 + 0) / 3);
  assert.equal(m.meanDice, (10 / 13 + 8 / 10 + 0) / 3);
  assert.deepEqual(Array.from(m.classAccuracy.subarray(0, 2)), [5 / 7, 4 / 5]);
  assert.ok(Number.isNaN(m.classAccuracy[2]));
});

test('accumulation over images and the ignore label', () => {
  const conf = new SegmentationConfusion(2, 255);
  conf.add([1, 1], [255, 1]);
  conf.add([0, 1], [0, 0]);
  // counted pixels: (1→1), (0→0), (0→1)
  assert.deepEqual(Array.from(conf.counts), [1, 1, 0, 1]);
  const m = conf.metrics();
  assert.equal(m.pixelAccuracy, 2 / 3);
  assert.deepEqual(Array.from(m.iou), [1 / 2, 1 / 2]);
});

test('binary Dice and IoU: hand-worked, and the empty convention', () => {
  assert.equal(binaryDice([1, 1, 0, 0], [1, 0, 1, 0]), 0.5);
  assert.equal(binaryIou([1, 1, 0, 0], [1, 0, 1, 0]), 1 / 3);
  assert.equal(binaryDice([0, 0], [0, 0]), 1);
  assert.equal(binaryDice([0, 0], [0, 0], Number.NaN), Number.NaN);
  assert.equal(binaryIou([255, 0], [1, 0]), 1);
});

test('per-class IoU and Dice equal per-class binary masks over all images (random labels)', () => {
  const random = mulberry32(99);
  const c = 5;
  const conf = new SegmentationConfusion(c);
  const allPred: number[] = [];
  const allTruth: number[] = [];
  for (let im = 0; im < 4; im++) {
    const n = 50 + Math.floor(random() * 50);
    const truth = Uint8Array.from({ length: n }, () => Math.floor(random() * (c - 1))); // class 4 never true
    const pred = Uint8Array.from(truth, (t) => (random() < 0.7 ? t : Math.floor(random() * (c - 1))));
    conf.add(pred, truth);
    allPred.push(...pred);
    allTruth.push(...truth);
  }
  const m = conf.metrics();
  for (let k = 0; k < c - 1; k++) {
    const p = allPred.map((v) => (v === k ? 1 : 0));
    const t = allTruth.map((v) => (v === k ? 1 : 0));
    assert.ok(Math.abs(m.iou[k] - binaryIou(p, t)) < 1e-15);
    assert.ok(Math.abs(m.dice[k] - binaryDice(p, t)) < 1e-15);
  }
  assert.ok(Number.isNaN(m.iou[c - 1]));
  assert.equal(m.pixelAccuracy, allPred.filter((v, i) => v === allTruth[i]).length / allPred.length);
});

test('bad input names the array and pixel', () => {
  const conf = new SegmentationConfusion(2);
  assert.throws(() => conf.add([0, 1], [0]), (e: unknown) => e instanceof DetsegInputError && /image: prediction has 2 pixels, ground truth 1/.test(e.message));
  assert.throws(() => conf.add([0, 2], [0, 1], 'case7'), /case7\.predicted: pixel 1 has label 2/);
  assert.throws(() => conf.add([0, 1], [0, Number.NaN]), /image\.truth: pixel 1 has label NaN/);
  assert.throws(() => new SegmentationConfusion(0), /numClasses/);
});
