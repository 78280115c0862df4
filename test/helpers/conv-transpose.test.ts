import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { conv2d, type Conv2dOptions } from './conv2d.js';
import { conv2dTranspose } from './conv-transpose.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';
import { assertClose, randomArray } from '../ops/arrays.js';

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

test("conv2dTranspose: the lecture's 2×2 example gives [[0,0,1],[0,4,6],[4,12,9]]", () => {
  // Each input pixel x[i,j] adds x[i,j]·k to the 2×2 output window whose corner is (i, j):
  //   x[0,0] = 0 adds nothing;
  //   x[0,1] = 1 adds [[0,1],[2,3]] at rows 0–1, cols 1–2;
  //   x[1,0] = 2 adds [[0,2],[4,6]] at rows 1–2, cols 0–1;
  //   x[1,1] = 3 adds [[0,3],[6,9]] at rows 1–2, cols 1–2.
  // Sum: row 0 = [0, 0, 1]; row 1 = [0, 2+2, 3+3] = [0, 4, 6]; row 2 = [4, 6+6, 9] = [4, 12, 9].
  const x = Float32Array.from([0, 1, 2, 3]);
  const k = Float32Array.from([0, 1, 2, 3]);
  const out = conv2dTranspose(x, [1, 2, 2, 1], k, [2, 2, 1, 1], { strides: 1 });
  assert.deepEqual(out.shape, [1, 3, 3, 1]);
  assert.deepEqual(Array.from(out.data), [0, 0, 1, 0, 4, 6, 4, 12, 9]);
});

test('conv2dTranspose: stride 2 spreads the 2×2 kernel copies without overlap', () => {
  // With stride 2 the windows of x[i,j] start at (2i, 2j): the 4×4 output is the four copies
  // x[i,j]·k tiled side by side: [[0,0,0,1],[0,0,2,3],[0,2,0,3],[4,6,6,9]].
  const out = conv2dTranspose(Float32Array.from([0, 1, 2, 3]), [1, 2, 2, 1], Float32Array.from([0, 1, 2, 3]), [2, 2, 1, 1], { strides: 2 });
  assert.deepEqual(out.shape, [1, 4, 4, 1]);
  assert.deepEqual(Array.from(out.data), [0, 0, 0, 1, 0, 0, 2, 3, 0, 2, 0, 3, 4, 6, 6, 9]);
});

test('conv2dTranspose is the adjoint of conv2d: <conv(z), x> = <z, convT(x)> (random, strides 1 and 2, odd sizes)', () => {
  const random = mulberry32(5);
  const cases: Array<{ z: [number, number, number, number]; k: [number, number]; outC: number; opts: Conv2dOptions }> = [
    { z: [1, 5, 5, 1], k: [3, 3], outC: 1, opts: { strides: 1 } },
    { z: [2, 7, 9, 3], k: [3, 3], outC: 2, opts: { strides: 2 } },
    { z: [1, 9, 7, 2], k: [2, 3], outC: 3, opts: { strides: 2, padding: 'same' } },
    { z: [2, 5, 7, 2], k: [3, 2], outC: 2, opts: { strides: 1, padding: 'same' } },
    { z: [1, 11, 9, 2], k: [3, 3], outC: 2, opts: { strides: [2, 1], padding: [[1, 0], [2, 1]] } },
    { z: [1, 9, 9, 1], k: [3, 3], outC: 2, opts: { strides: 1, dilations: 2 } },
  ];
  for (const c of cases) {
    const [n, zh, zw, zc] = c.z;
    const kernel = randomArray(c.k[0] * c.k[1] * zc * c.outC, random); // conv: [kh, kw, zc, outC]
    const z = randomArray(n * zh * zw * zc, random);
    const cz = conv2d(z, c.z, kernel, [c.k[0], c.k[1], zc, c.outC], c.opts);
    const x = randomArray(cz.data.length, random);
    // The same kernel read as a transposed-conv filter [kh, kw, outC = zc, inC = outC of conv].
    const tx = conv2dTranspose(x, cz.shape, kernel, [c.k[0], c.k[1], zc, c.outC], { ...c.opts, outputSize: [zh, zw] });
    assert.deepEqual(tx.shape, c.z);
    const lhs = dot(cz.data, x);
    const rhs = dot(z, tx.data);
    assert.ok(Math.abs(lhs - rhs) <= 1e-5 * (1 + Math.abs(lhs)), `${JSON.stringify(c)}: ${lhs} vs ${rhs}`);
  }
});

test('conv2dTranspose agrees with tf.conv2dTranspose on the cpu backend', async () => {
  await tf.setBackend('cpu');
  const random = mulberry32(23);
  const cases: Array<{ x: [number, number, number, number]; k: [number, number]; outC: number; strides: number; padding: 'valid' | 'same'; out: [number, number] }> = [
    { x: [1, 2, 2, 1], k: [2, 2], outC: 1, strides: 1, padding: 'valid', out: [3, 3] },
    { x: [2, 4, 5, 3], k: [3, 3], outC: 2, strides: 2, padding: 'valid', out: [9, 11] },
    { x: [1, 4, 3, 2], k: [3, 3], outC: 4, strides: 2, padding: 'same', out: [8, 6] },
    { x: [1, 5, 5, 2], k: [4, 4], outC: 3, strides: 2, padding: 'same', out: [10, 10] },
    { x: [2, 3, 4, 2], k: [2, 3], outC: 2, strides: 1, padding: 'same', out: [3, 4] },
  ];
  for (const c of cases) {
    const [n, h, w, inC] = c.x;
    const x = randomArray(n * h * w * inC, random);
    const k = randomArray(c.k[0] * c.k[1] * c.outC * inC, random);
    const ours = conv2dTranspose(x, c.x, k, [c.k[0], c.k[1], c.outC, inC], { strides: c.strides, padding: c.padding });
    const ref = tf.tidy(() => tf.conv2dTranspose(tf.tensor4d(x, c.x), tf.tensor4d(k, [c.k[0], c.k[1], c.outC, inC]), [n, c.out[0], c.out[1], c.outC], c.strides, c.padding));
    assert.deepEqual(ours.shape, ref.shape, JSON.stringify(c));
    assertClose(ours.data, ref.dataSync(), 1e-5, JSON.stringify(c));
    ref.dispose();
  }
});

test('conv2dTranspose rejects an output size that does not convolve back to the input', () => {
  assert.throws(
    () => conv2dTranspose(new Float32Array(4), [1, 2, 2, 1], new Float32Array(4), [2, 2, 1, 1], { strides: 2, outputSize: [7, 4] }),
    (e: unknown) => e instanceof DetsegInputError && /outputSize/.test(e.message),
  );
  assert.throws(
    () => conv2dTranspose(new Float32Array(4), [1, 2, 2, 1], new Float32Array(8), [2, 2, 1, 2]),
    (e: unknown) => e instanceof DetsegInputError && /filter/.test(e.message),
  );
});
