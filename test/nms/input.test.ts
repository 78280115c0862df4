import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderByScore } from '../../src/nms/input.js';
import { mulberry32 } from '../../src/util/random.js';

/** Reference: indices sorted by a comparator, decreasing score then increasing index. */
function naiveOrder(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((p, q) => (scores[q] > scores[p] ? 1 : scores[q] < scores[p] ? -1 : p - q));
}

test('orderByScore: decreasing score, ties in input order, for packed Float32 and plain arrays', () => {
  const random = mulberry32(12);
  const values = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? Math.floor(random() * 8) - 4 : (random() - 0.5) * 1e6));
  values.push(0, -0, 0, -0, 3.4e38, -3.4e38, 1e-45, -1e-45);
  const f32 = Float32Array.from(values);
  assert.deepEqual(Array.from(orderByScore(f32)), naiveOrder(f32));
  assert.deepEqual(Array.from(orderByScore(Array.from(f32))), naiveOrder(f32));
  assert.deepEqual(Array.from(orderByScore(Float64Array.from(values))), naiveOrder(values));
  assert.equal(orderByScore(new Float32Array(0)).length, 0);
  assert.deepEqual(Array.from(orderByScore(new Float32Array([0.5]))), [0]);
});
