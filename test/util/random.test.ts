import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32, shuffleInPlace } from '../../src/util/random.js';

test('shuffleInPlace: the hand-worked Fisher–Yates swaps of a fixed draw sequence', () => {
  // draws 0.5, 0.0, 0.99 on [a, b, c, d]: i=3 swaps with ⌊0.5·4⌋=2 → [a, b, d, c]; i=2 with ⌊0·3⌋=0 →
  // [d, b, a, c]; i=1 with ⌊0.99·2⌋=1 → unchanged
  const draws = [0.5, 0.0, 0.99];
  let k = 0;
  const items = ['a', 'b', 'c', 'd'];
  assert.equal(shuffleInPlace(items, () => draws[k++]), items);
  assert.deepEqual(items, ['d', 'b', 'a', 'c']);
  assert.equal(k, 3);
});

test('shuffleInPlace: a typed array and a plain array shuffle alike; the same seed gives the same order', () => {
  const n = 50;
  const typed = shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), mulberry32(9));
  const plain = shuffleInPlace(Array.from({ length: n }, (_, i) => i), mulberry32(9));
  assert.deepEqual(Array.from(typed), plain);
  assert.deepEqual([...plain].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  assert.notDeepEqual(plain, Array.from({ length: n }, (_, i) => i));
});
