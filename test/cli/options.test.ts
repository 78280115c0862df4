import { test } from 'node:test';
import assert from 'node:assert/strict';
import { positiveNumber, unitInterval, wholeNumber } from '../../src/cli/options.js';

test('option parsers: an empty value is an error, never read as 0', () => {
  assert.throws(() => unitInterval('', '--score'), (e: unknown) => e instanceof Error && e.message === "--score: must be a number in [0, 1], got ''");
  assert.throws(() => unitInterval(' ', '--score'), /--score: must be a number in \[0, 1\]/);
  assert.throws(() => unitInterval('1.5', '--score'), /got '1\.5'/);
  assert.throws(() => unitInterval('NaN', '--score'), /got 'NaN'/);
  assert.equal(unitInterval('0.05', '--score'), 0.05);
  assert.equal(unitInterval('0', '--score'), 0);
  assert.throws(() => wholeNumber('', '--top'), /--top: must be a whole number/);
  assert.throws(() => positiveNumber('', '--lr'), /--lr: must be a positive number/);
});
