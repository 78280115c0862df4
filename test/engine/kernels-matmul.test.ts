import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { onBothBackends, randomNormal, relativeError } from './backends.js';

// [a shape, b shape, transposeA, transposeB]: single matrices (the heap transpose) and batches (the
// wasm Transpose), odd sizes, each flag alone and both together.
const CASES: Array<[number[], number[], boolean, boolean]> = [
  [[7, 5], [7, 3], true, false],
  [[5, 7], [3, 7], false, true],
  [[7, 5], [3, 7], true, true],
  [[1, 9, 4], [1, 9, 6], true, false],
  [[3, 4, 9], [3, 6, 9], false, true],
  [[2, 9, 4], [2, 6, 9], true, true],
  [[5, 7], [7, 3], false, false],
  // batches go one matrix at a time: equal batches, a shared side of batch 1, rank 4
  [[4, 9, 6], [4, 6, 5], false, false],
  [[1, 9, 6], [3, 6, 5], false, false],
  [[3, 9, 6], [1, 5, 6], false, true],
  [[2, 3, 6, 9], [2, 3, 6, 5], true, false],
];

for (const [aShape, bShape, ta, tb] of CASES) {
  test(`BatchMatMul ${JSON.stringify(aShape)}${ta ? 'ᵀ' : ''} × ${JSON.stringify(bShape)}${tb ? 'ᵀ' : ''} equals the cpu backend`, async () => {
    const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
    const a = randomNormal(size(aShape), 11);
    const b = randomNormal(size(bShape), 12);
    const { cpu, wasm } = await onBothBackends(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb));
    assert.equal(wasm[0].length, cpu[0].length);
    assert.ok(relativeError(wasm[0], cpu[0]) <= 1e-5, `relative error ${relativeError(wasm[0], cpu[0])}`);
  });
}

test('the gradients of a dense layer (transposed products) equal the cpu backend', async () => {
  const x = randomNormal(6 * 13, 21);
  const w = randomNormal(13 * 5, 22);
  const { cpu, wasm } = await onBothBackends(() => {
    const loss = (xv: tf.Tensor, wv: tf.Tensor) => tf.relu(tf.matMul(xv, wv)).square().sum(); // Σ relu(x·w)²
    return tf.grads(loss)([tf.tensor2d(x, [6, 13]), tf.tensor2d(w, [13, 5])]); // [dx, dw]
  });
  for (let i = 0; i < 2; i++) assert.ok(relativeError(wasm[i], cpu[i]) <= 1e-5, `gradient ${i}: relative error ${relativeError(wasm[i], cpu[i])}`);
});

test('batched products, one matrix at a time, stay right when the same right-hand shapes come back with new values', async () => {
  const { cpu, wasm } = await onBothBackends(() =>
    [1, 2, 3].map((seed) => tf.matMul(tf.tensor(randomNormal(5 * 7 * 4, seed), [5, 7, 4]), tf.tensor(randomNormal(5 * 4 * 6, 10 + seed), [5, 4, 6]))),
  );
  for (let i = 0; i < 3; i++) assert.ok(relativeError(wasm[i], cpu[i]) <= 1e-5, `product ${i}: relative error ${relativeError(wasm[i], cpu[i])}`);
});
