import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runThenDispose } from '../../src/util/dispose.js';

test('runThenDispose: the first failure is reported even when the clean-up fails too; clean-up runs once either way', async () => {
  let disposed = 0;
  const failingDispose = () => {
    disposed++;
    throw new RangeError('memory access out of bounds');
  };
  await assert.rejects(
    runThenDispose(() => {
      throw new RangeError('table index is out of bounds');
    }, failingDispose),
    /table index is out of bounds/,
  );
  assert.equal(disposed, 1);
  assert.equal(await runThenDispose(async () => 42, () => disposed++), 42);
  assert.equal(disposed, 2);
  // after a success a failing clean-up is reported: nothing else went wrong
  await assert.rejects(runThenDispose(() => 1, failingDispose), /memory access out of bounds/);
});
