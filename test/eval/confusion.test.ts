import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetectionConfusionMatrix } from '../../src/eval/confusion.js';
import { DetsegInputError } from '../../src/util/errors.js';

const CAT = 0, DOG = 1, BG = 2;

function matrix(m: DetectionConfusionMatrix): number[][] {
  return Array.from({ length: m.size }, (_, r) => Array.from({ length: m.size }, (_, c) => m.at(r, c)));
}

test('hand-worked detection confusion matrix (Ultralytics semantics: conf > 0.25, IoU > 0.45, rows = predicted)', () => {
  const m = new DetectionConfusionMatrix(2);
  // image 1: objects A cat, B dog, C cat
  m.addImage(
    [0, 0, 10, 10, 20, 0, 30, 10, 50, 50, 60, 60],
    [CAT, DOG, CAT],
    [
      0, 0, 10, 10, // d0 cat .9, IoU 1 with A → (cat, cat)
      0, 0, 10, 8, // d1 cat .8, best is A (0.8), taken by d0 → (cat, background)
      20, 0, 30, 7, // d2 cat .7 on the dog B (0.7) → (cat, dog)
      50, 50, 60, 60, // d3 dog .2 on C: below the confidence threshold → dropped; C missed → (background, cat)
      100, 100, 110, 110, // d4 dog .5 on nothing → (dog, background)
      50, 50, 60, 60, // d5 dog exactly .25: not > .25 → dropped
    ],
    [CAT, CAT, CAT, DOG, DOG, DOG],
    [0.9, 0.8, 0.7, 0.2, 0.5, 0.25],
  );
  // image 2: no object, one detection → (cat, background)
  m.addImage([], [], [0, 0, 5, 5], [CAT], [0.9]);
  // image 3: one object, no detection → (background, dog)
  m.addImage([0, 0, 5, 5], [DOG], [], [], []);
  // image 4: IoU exactly 0.45 (90 / 200) is not > 0.45 → (background, dog) and (dog, background)
  m.addImage([0, 0, 20, 10], [DOG], [0, 0, 9, 10], [DOG], [0.9]);
  // image 5: A (0,0,10,10), B (3,0,13,10) cats. d0 = A exactly (IoU A 1, B 0.538); d1 (1,0,11,10):
  // A 0.818, B 0.667. Both detections' best object is A; d0 keeps it, d1 is not re-matched to B:
  // (cat, cat), (cat, background), (background, cat).
  m.addImage([0, 0, 10, 10, 3, 0, 13, 10], [CAT, CAT], [0, 0, 10, 10, 1, 0, 11, 10], [CAT, CAT], [0.9, 0.8]);
  assert.deepEqual(matrix(m), [
    //  cat dog bg   ← true class
    [2, 1, 3], // predicted cat
    [0, 0, 2], // predicted dog
    [2, 2, 0], // predicted background
  ]);
  const { tp, fp, fn } = m.truePositivesFalsePositives();
  assert.deepEqual(Array.from(tp), [2, 0]);
  assert.deepEqual(Array.from(fp), [4, 2]);
  assert.deepEqual(Array.from(fn), [2, 3]);
  const norm = m.normalizedByTruth();
  assert.equal(norm[0 * 3 + CAT], 2 / 4);
  assert.equal(norm[BG * 3 + DOG], 2 / 3);
  assert.equal(norm[BG * 3 + BG], 0);
});

test('hand-worked: the highest-IoU pair wins when two objects want one detection', () => {
  // one detection (0,0,10,10) cat; objects A (0,0,10,9) dog IoU 0.9 and B (0,0,10,8) cat IoU 0.8
  const m = new DetectionConfusionMatrix(2);
  m.addImage([0, 0, 10, 9, 0, 0, 10, 8], [DOG, CAT], [0, 0, 10, 10], [CAT], [0.6]);
  assert.deepEqual(matrix(m), [
    [0, 1, 0],
    [0, 0, 0],
    [1, 0, 0],
  ]);
});

test('bad input: thresholds, class ids, shapes and scores', () => {
  assert.throws(() => new DetectionConfusionMatrix(2, 1.5), /confThreshold/);
  assert.throws(() => new DetectionConfusionMatrix(0), /numClasses/);
  const m = new DetectionConfusionMatrix(2);
  assert.throws(() => m.addImage([0, 0, 1, 1], [2], [], [], []), (e: unknown) => e instanceof DetsegInputError && /gtClasses: entry 0 is 2/.test(e.message));
  assert.throws(() => m.addImage([0, 0, 1], [0], [], [], []), /gtBoxes: expected 4 numbers per box/);
  assert.throws(() => m.addImage([], [], [0, 0, 1, 1], [0], [Number.NaN]), /dtScores: score 0 is NaN/);
  assert.throws(() => m.addImage([], [], [0, 0, 1, 1], [0], []), /dtClasses\/dtScores/);
});
