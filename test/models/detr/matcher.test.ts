import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hungarianMatch, matchingCost } from '../../../src/models/detr/matcher.js';

/** Two classes (+ "no object"): probabilities [N, 3], boxes (cx, cy, w, h) as fractions of the image. */

test('matching cost by hand, 2 queries × 2 objects, boxes in the opposite order: the anti-diagonal assignment', () => {
  // q0 predicts [0, 0, .5, .5] class 0 (p .7), q1 predicts [.5, .5, 1, 1] class 1 (p .6); object 0 is [.5, .5, 1, 1] class 1, object 1 is [0, 0, .5, .5] class 0.
  const probabilities = Float32Array.of(0.7, 0.2, 0.1, 0.1, 0.6, 0.3);
  const boxes = Float32Array.of(0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 0.5, 0.5);
  const target = { labels: Int32Array.of(1, 0), boxes: Float32Array.of(0.75, 0.75, 0.5, 0.5, 0.25, 0.25, 0.5, 0.5) };
  // Boxes touching at a corner: L1 = .5 + .5, IoU 0, union .5, hull 1 → GIoU = −.5.
  // C[0,0] = −.2 + 5·1 − 2·(−.5) = 5.8;  C[0,1] = −.7 + 0 − 2·1 = −2.7;  C[1,0] = −.6 − 2 = −2.6;  C[1,1] = −.1 + 5 + 1 = 5.9
  const cost = matchingCost(probabilities, boxes, target);
  [5.8, -2.7, -2.6, 5.9].forEach((v, k) => assert.ok(Math.abs(cost[k] - v) < 1e-6, `cost[${k}] = ${cost[k]}, expected ${v}`));
  const match = hungarianMatch(probabilities, boxes, target);
  assert.deepEqual(Array.from(match.queries), [0, 1]);
  assert.deepEqual(Array.from(match.objects), [1, 0]);
});

test('matching cost by hand with partial overlaps (GIoU = IoU for nested boxes) and weights', () => {
  // q0 = [.3, .3, .7, .7], q1 = [.1, .1, .9, .9]; both p = (.5, .4, .1). Object 0 = q0's box, class 0; object 1 = [.2, .2, .8, .8], class 1.
  const probabilities = Float32Array.of(0.5, 0.4, 0.1, 0.5, 0.4, 0.1);
  const boxes = Float32Array.of(0.5, 0.5, 0.4, 0.4, 0.5, 0.5, 0.8, 0.8);
  const target = { labels: Int32Array.of(0, 1), boxes: Float32Array.of(0.5, 0.5, 0.4, 0.4, 0.5, 0.5, 0.6, 0.6) };
  // C[0,0] = −.5 + 0 − 2·1 = −2.5
  // C[0,1] = −.4 + 5·(.2 + .2) − 2·(.16/.36) = 1.6 − .8889 = .71111
  // C[1,0] = −.5 + 5·(.4 + .4) − 2·(.16/.64) = 3.5 − .5 = 3.0
  // C[1,1] = −.4 + 5·(.2 + .2) − 2·(.36/.64) = 1.6 − 1.125 = .475
  const cost = matchingCost(probabilities, boxes, target);
  [-2.5, 0.4 * 5 - 0.4 - (2 * 0.16) / 0.36, 3.0, 0.475].forEach((v, k) => assert.ok(Math.abs(cost[k] - v) < 1e-5, `cost[${k}] = ${cost[k]}, expected ${v}`));
  const match = hungarianMatch(probabilities, boxes, target);
  assert.deepEqual(Array.from(match.objects), [0, 1]); // −2.025 against 3.711
  // Weights: class term only → C = −p, ties broken by the assignment's total (−.5 − .4 either way).
  const classOnly = matchingCost(probabilities, boxes, target, { classCost: 1, bboxCost: 0, giouCost: 0 });
  assert.deepEqual(Array.from(classOnly, (v) => Math.round(v * 1e6) / 1e6), [-0.5, -0.4, -0.5, -0.4]);
});

test('more queries than objects: every object gets a distinct query; no objects: an empty match', () => {
  const probabilities = Float32Array.of(0.1, 0.1, 0.8, 0.2, 0.7, 0.1, 0.3, 0.3, 0.4);
  const boxes = Float32Array.of(0.2, 0.2, 0.1, 0.1, 0.6, 0.6, 0.3, 0.3, 0.9, 0.9, 0.1, 0.1);
  const match = hungarianMatch(probabilities, boxes, { labels: Int32Array.of(1), boxes: Float32Array.of(0.6, 0.6, 0.3, 0.3) });
  assert.deepEqual([Array.from(match.queries), Array.from(match.objects)], [[1], [0]]);
  const none = hungarianMatch(probabilities, boxes, { labels: new Int32Array(0), boxes: new Float32Array(0) });
  assert.equal(none.queries.length, 0);
});
