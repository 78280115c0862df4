import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { onBothBackends, randomNormal } from './backends.js';

// [x shape, reps]: whole-input repeats (the fast path: the batch-norm gradient's [1,1,1,C] by [B,H,W,1],
// odd counts that end on a partial doubling, no repeat at all) and cases that go to upstream.
const CASES: Array<[number[], number[]]> = [
  [[1, 1, 1, 5], [2, 3, 7, 1]],
  [[1, 1, 6], [3, 5, 1]],
  [[1, 4, 3], [7, 1, 1]],
  [[2, 3], [1, 1]],
  [[1, 5], [1, 1]],
  [[2, 3], [2, 1]],
  [[2, 3], [1, 3]],
  [[1, 3, 2], [2, 2, 1]],
];

for (const [shape, reps] of CASES) {
  test(`Tile ${JSON.stringify(shape)} by ${JSON.stringify(reps)} equals the cpu backend`, async () => {
    const x = randomNormal(shape.reduce((p, d) => p * d, 1), 31);
    const { cpu, wasm } = await onBothBackends(() => tf.tile(tf.tensor(x, shape), reps));
    assert.deepEqual(Array.from(wasm[0]), Array.from(cpu[0]));
  });
}
