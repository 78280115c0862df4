import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median } from '../../src/util/median.js';

test('median: the middle value of an odd count, the mean of the two middle values of an even one', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.ok(Number.isNaN(median([])));
  const values = [3, 1, 2];
  median(values);
  assert.deepEqual(values, [3, 1, 2]); // the input is not reordered
});
