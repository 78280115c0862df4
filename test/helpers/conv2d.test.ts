import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { conv2d } from './conv2d.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';
import { assertClose, randomArray } from '../ops/arrays.js';

test('conv2d: hand-worked 3×3 input, 2×2 kernel, valid and same padding', () => {
  // x = [[1,2,3],[4,5,6],[7,8,9]], k = [[1,0],[0,-1]] (one channel in, one out).
  // valid: out[i,j] = x[i,j] − x[i+1,j+1] → [[1−5, 2−6], [4−8, 5−9]] = [[−4,−4],[−4,−4]].
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const k = Float32Array.from([1, 0, 0, -1]);
  const valid = conv2d(x, [1, 3, 3, 1], k, [2, 2, 1, 1]);
  assert.deepEqual(valid.shape, [1, 2, 2, 1]);
  assert.deepEqual(Array.from(valid.data), [-4, -4, -4, -4]);
  // same, stride 1: total padding 1 per axis, all of it after (bottom/right), so the last row and
  // column read zeros below/right: out[2,j] = x[2,j], out[i,2] = x[i,2] → [[−4,−4,3],[−4,−4,6],[7,8,9]].
  const same = conv2d(x, [1, 3, 3, 1], k, [2, 2, 1, 1], { padding: 'same' });
  assert.deepEqual(Array.from(same.data), [-4, -4, 3, -4, -4, 6, 7, 8, 9]);
  // stride 2, same: output ceil(3/2) = 2, total padding (2−1)·2 + 2 − 3 = 1 → after: rows/cols 0 and 2.
  // out = [[x00 − x11, x02 − 0], [x20 − 0, x22]] = [[−4, 3], [7, 9]].
  const strided = conv2d(x, [1, 3, 3, 1], k, [2, 2, 1, 1], { padding: 'same', strides: 2 });
  assert.deepEqual(Array.from(strided.data), [-4, 3, 7, 9]);
  // dilation 2, valid: the kernel spans 3 pixels; out[0,0] = x00 − x22 = 1 − 9 = −8.
  const dilated = conv2d(x, [1, 3, 3, 1], k, [2, 2, 1, 1], { dilations: 2 });
  assert.deepEqual(Array.from(dilated.data), [-8]);
});

test('conv2d agrees with tf.conv2d on the cpu backend (random inputs, strides, padding, dilation)', async () => {
  await tf.setBackend('cpu');
  const random = mulberry32(11);
  const cases: Array<{ shape: [number, number, number, number]; k: [number, number]; outC: number; strides: number | [number, number]; padding: 'valid' | 'same' | [[number, number], [number, number]]; dilations: number }> = [
    { shape: [1, 5, 5, 1], k: [3, 3], outC: 1, strides: 1, padding: 'valid', dilations: 1 },
    { shape: [2, 7, 6, 3], k: [3, 2], outC: 4, strides: 2, padding: 'same', dilations: 1 },
    { shape: [1, 9, 8, 2], k: [3, 3], outC: 3, strides: 1, padding: 'same', dilations: 2 },
    { shape: [2, 8, 7, 2], k: [2, 3], outC: 2, strides: [2, 3], padding: 'valid', dilations: 1 },
    { shape: [1, 6, 5, 3], k: [3, 3], outC: 2, strides: 2, padding: [[1, 2], [0, 1]], dilations: 1 },
  ];
  for (const c of cases) {
    const [n, h, w, inC] = c.shape;
    const x = randomArray(n * h * w * inC, random);
    const k = randomArray(c.k[0] * c.k[1] * inC * c.outC, random);
    const ours = conv2d(x, c.shape, k, [c.k[0], c.k[1], inC, c.outC], { strides: c.strides, padding: c.padding, dilations: c.dilations });
    const pad = typeof c.padding === 'string' ? c.padding : [[0, 0], c.padding[0], c.padding[1], [0, 0]];
    const ref = tf.tidy(() => tf.conv2d(tf.tensor4d(x, c.shape), tf.tensor4d(k, [c.k[0], c.k[1], inC, c.outC]), c.strides, pad as 'valid', 'NHWC', c.dilations));
    assert.deepEqual(ours.shape, ref.shape, JSON.stringify(c));
    assertClose(ours.data, ref.dataSync(), 1e-5, JSON.stringify(c));
    ref.dispose();
  }
});

test('conv2d rejects bad shapes with DetsegInputError', () => {
  const x = new Float32Array(9);
  assert.throws(() => conv2d(x, [1, 3, 3, 2], new Float32Array(4), [2, 2, 1, 1]), (e: unknown) => e instanceof DetsegInputError && /input.*expected 18 elements/.test(e.message));
  assert.throws(() => conv2d(x, [1, 3, 3, 1], new Float32Array(8), [2, 2, 2, 1]), (e: unknown) => e instanceof DetsegInputError && /filter.*2 input channels/.test(e.message));
  assert.throws(() => conv2d(x, [1, 3, 3, 1], new Float32Array(4), [2, 2, 1, 1], { strides: 0 }), (e: unknown) => e instanceof DetsegInputError && /strides/.test(e.message));
  assert.throws(() => conv2d(x, [1, 3, 3, 1], new Float32Array(4), [2, 2, 1, 1], { padding: [[-1, 0], [0, 0]] }), (e: unknown) => e instanceof DetsegInputError && /padding/.test(e.message));
});
