import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/setup.js';
import { flipAndTransposeFilter, patchesAsColumns, splitLastAxis, swapOuterAndInner, swapOuterPair, concatLastAxis } from '../../src/engine/kernels-heap.js';
import type { HeapBackend } from '../../src/engine/heap-backend.js';
import { randomNormal } from './backends.js';

/** Runs a heap function on a wasm tensor made of `values` and returns its outputs' values and shapes. */
function onHeap(values: Float32Array, shape: number[], f: (backend: HeapBackend, x: tf.TensorInfo) => tf.TensorInfo | tf.TensorInfo[]): Array<{ values: Float32Array; shape: number[] }> {
  const x = tf.tensor(values, shape);
  const backend = tf.backend() as unknown as HeapBackend;
  const result = f(backend, { dataId: x.dataId, shape: x.shape, dtype: 'float32' });
  const outs = (Array.isArray(result) ? result : [result]).map((info) => tf.engine().makeTensorFromTensorInfo(info));
  const read = outs.map((t) => ({ values: Float32Array.from(t.dataSync() as Float32Array), shape: t.shape }));
  tf.dispose([x, ...outs]);
  return read;
}

test('swapOuterAndInner: [A, B, C] → [C, B, A], each element where the index formula puts it', async () => {
  await initEngine();
  for (const [a, b, c] of [[8, 20, 3], [1, 5, 4], [3, 1, 7], [5, 6, 1]]) {
    const x = randomNormal(a * b * c, a * 100 + b * 10 + c);
    const [out] = onHeap(x, [a, b, c], (backend, info) => swapOuterAndInner(backend, info, a, b, c, [c, b, a]));
    assert.deepEqual(out.shape, [c, b, a]);
    for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < c; k++) assert.equal(out.values[(k * b + j) * a + i], x[(i * b + j) * c + k]);
  }
});

test('swapOuterPair: [G, A, B, C] → [G, B, A, C] for one and several groups', async () => {
  await initEngine();
  for (const [g, a, b, c] of [[1, 8, 20, 3], [4, 3, 5, 2], [6, 2, 1, 5]]) {
    const x = randomNormal(g * a * b * c, g + a + b + c);
    const [out] = onHeap(x, [g, a, b, c], (backend, info) => swapOuterPair(backend, info, a, b, c, [g, b, a, c], g));
    for (let q = 0; q < g; q++) for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < c; k++) {
      assert.equal(out.values[((q * b + j) * a + i) * c + k], x[((q * a + i) * b + j) * c + k]);
    }
  }
});

test('patchesAsColumns: x [N, H, W, C] → [sh·sw·C, N·Ho·Wo] with out[(a·sw + b)·C + c, (n·Ho + i)·Wo + j] = x[n, i·sh + a, j·sw + b, c]', async () => {
  await initEngine();
  for (const [n, h, w, c, sh, sw] of [[2, 4, 6, 3, 2, 2], [1, 6, 3, 2, 3, 1], [3, 2, 2, 1, 1, 1]]) {
    const x = randomNormal(n * h * w * c, n * h * w * c + sh);
    const [out] = onHeap(x, [n, h, w, c], (backend, info) => patchesAsColumns(backend, info, sh, sw));
    const ho = h / sh;
    const wo = w / sw;
    assert.deepEqual(out.shape, [1, sh * sw * c, n * ho * wo]);
    for (let b = 0; b < n; b++) for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) for (let a = 0; a < sh; a++) for (let e = 0; e < sw; e++) for (let k = 0; k < c; k++) {
      assert.equal(out.values[((a * sw + e) * c + k) * (n * ho * wo) + (b * ho + i) * wo + j], x[((b * h + i * sh + a) * w + j * sw + e) * c + k]);
    }
  }
});

test('flipAndTransposeFilter: Wf[a, b, co, ci] = W[fh − 1 − a, fw − 1 − b, ci, co]', async () => {
  await initEngine();
  const [fh, fw, ci, co] = [3, 2, 4, 5];
  const wv = randomNormal(fh * fw * ci * co, 77);
  const [out] = onHeap(wv, [fh, fw, ci, co], (backend, info) => flipAndTransposeFilter(backend, info));
  assert.deepEqual(out.shape, [fh, fw, co, ci]);
  for (let a = 0; a < fh; a++) for (let b = 0; b < fw; b++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    assert.equal(out.values[((a * fw + b) * co + o) * ci + i], wv[(((fh - 1 - a) * fw + (fw - 1 - b)) * ci + i) * co + o]);
  }
});

test('splitLastAxis then concatLastAxis gives the input back; each part holds its channel range', async () => {
  await initEngine();
  const shape = [2, 3, 4, 9];
  const x = randomNormal(2 * 3 * 4 * 9, 91);
  const sizes = [2, 0, 4, 3];
  const parts = onHeap(x, shape, (backend, info) => splitLastAxis(backend, info, sizes));
  let begin = 0;
  for (const [p, size] of sizes.entries()) {
    assert.deepEqual(parts[p].shape, [2, 3, 4, size]);
    for (let r = 0; r < 24; r++) for (let k = 0; k < size; k++) assert.equal(parts[p].values[r * size + k], x[r * 9 + begin + k]);
    begin += size;
  }
  const tensors = parts.map((p) => tf.tensor(p.values, p.shape));
  const backend = tf.backend() as unknown as HeapBackend;
  const joined = tf.engine().makeTensorFromTensorInfo(concatLastAxis(backend, tensors.map((t) => ({ dataId: t.dataId, shape: t.shape, dtype: 'float32' as const }))));
  assert.deepEqual(joined.shape, shape);
  assert.deepEqual(Array.from(joined.dataSync()), Array.from(x));
  tf.dispose([...tensors, joined]);
});
