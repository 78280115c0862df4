import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { conv2d } from '../helpers/conv2d.js';
import { conv2dTranspose } from '../helpers/conv-transpose.js';
import { initEngine } from '../../src/engine/setup.js';
import { WASM_KERNEL_PACK } from '../../src/engine/kernels.js';
import { onBothBackends, randomNormal, relativeError } from './backends.js';
import { heapRowCopier } from '../../src/engine/copy-rows.js';
import { heapBiasAdd } from '../../src/engine/bias-add.js';
import { heapMaxPoolGrad2x2 } from '../../src/engine/maxpool-grad.js';
import { profileKernels } from '../../src/engine/kernels-profile.js';
import type { HeapBackend } from '../../src/engine/heap-backend.js';

// Each case: input size, kernel size, stride, padding. Odd sizes, both paddings, strides 1 and 2,
// the U-Net 2×2/2 transposed conv (the "patchify" fast path) and overlapping stride-2 windows.
const CASES: Array<{ h: number; w: number; k: number; s: number; pad: 'same' | 'valid'; n: number; ci: number; co: number }> = [
  { h: 7, w: 9, k: 3, s: 1, pad: 'same', n: 2, ci: 3, co: 4 },
  { h: 7, w: 5, k: 3, s: 1, pad: 'valid', n: 2, ci: 3, co: 5 },
  { h: 7, w: 9, k: 3, s: 2, pad: 'same', n: 2, ci: 3, co: 4 },
  { h: 9, w: 8, k: 3, s: 2, pad: 'valid', n: 1, ci: 2, co: 3 },
  { h: 8, w: 10, k: 2, s: 2, pad: 'valid', n: 2, ci: 4, co: 3 },
  { h: 8, w: 8, k: 2, s: 2, pad: 'same', n: 3, ci: 5, co: 2 },
  { h: 9, w: 11, k: 2, s: 2, pad: 'valid', n: 1, ci: 3, co: 2 },
  { h: 11, w: 7, k: 5, s: 2, pad: 'same', n: 2, ci: 3, co: 3 },
  { h: 6, w: 6, k: 1, s: 1, pad: 'valid', n: 2, ci: 4, co: 6 },
  // more input than output channels (the filter gradient then convolves dy with x as the filter)
  { h: 9, w: 7, k: 3, s: 1, pad: 'same', n: 2, ci: 6, co: 2 },
  { h: 8, w: 11, k: 3, s: 1, pad: 'valid', n: 3, ci: 5, co: 3 },
  { h: 7, w: 8, k: 5, s: 1, pad: 'same', n: 1, ci: 4, co: 1 },
  { h: 9, w: 9, k: 3, s: 2, pad: 'same', n: 2, ci: 6, co: 2 },
  // fewer input than output channels, stride 1 (the filter gradient then packs x as the filter):
  // an even kernel with uneven 'same' padding, and a 5×5 'valid'
  { h: 8, w: 7, k: 4, s: 1, pad: 'same', n: 2, ci: 2, co: 5 },
  { h: 6, w: 9, k: 5, s: 1, pad: 'valid', n: 2, ci: 2, co: 3 },
];

const TOLERANCE = 1e-4;

function describe(c: (typeof CASES)[number]): string {
  return `${c.n}×${c.h}×${c.w}×${c.ci} → ${c.co}, ${c.k}×${c.k} stride ${c.s} '${c.pad}'`;
}

test('the kernel pack replaces the two conv gradient kernels on wasm', async () => {
  await initEngine();
  for (const name of WASM_KERNEL_PACK) assert.ok(tf.getKernel(name, 'wasm'), `${name} registered for wasm`);
});

type Shape4 = [number, number, number, number];
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Runs one gradient kernel of the pack on both backends for case `c`, with fresh seeded inputs: the
 * filter gradient takes (x, dy), the input gradient (dy, filter). Returns the relative error and the
 * output length next to the expected one.
 */
async function compareKernel(kernel: 'Conv2DBackpropFilter' | 'Conv2DBackpropInput', c: (typeof CASES)[number], seed: number): Promise<{ err: number; length: number; expected: number }> {
  await initEngine();
  const xShape: Shape4 = [c.n, c.h, c.w, c.ci];
  const filterShape: Shape4 = [c.k, c.k, c.ci, c.co];
  const yShape = tf.tidy(() => tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, c.s, c.pad).shape);
  const dy = randomNormal(size(yShape), seed);
  const other = kernel === 'Conv2DBackpropFilter' ? randomNormal(size(xShape), seed + 1) : randomNormal(size(filterShape), seed + 1);
  const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', ...(kernel === 'Conv2DBackpropFilter' ? { filterShape } : { inputShape: xShape }) };
  const { cpu, wasm } = await onBothBackends(() => {
    const inputs: tf.NamedTensorMap = kernel === 'Conv2DBackpropFilter' ? { x: tf.tensor4d(other, xShape), dy: tf.tensor(dy, yShape) } : { dy: tf.tensor(dy, yShape), filter: tf.tensor4d(other, filterShape) };
    return tf.engine().runKernel(kernel, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  });
  return { err: relativeError(wasm[0], cpu[0]), length: wasm[0].length, expected: size(kernel === 'Conv2DBackpropFilter' ? filterShape : xShape) };
}

for (const [index, c] of CASES.entries()) {
  for (const kernel of ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const) {
    test(`${kernel} matches the cpu backend: ${describe(c)}`, async () => {
      const { err, length, expected } = await compareKernel(kernel, c, 100 * index + (kernel === 'Conv2DBackpropFilter' ? 1 : 51));
      assert.equal(length, expected);
      assert.ok(err <= TOLERANCE, `relative error ${err}`);
    });
  }
}

test('tf.grad of a conv on wasm equals the naive adjoint (src/ops): dx = conv2dTranspose(dy), stride 2 same', async () => {
  await initEngine();
  const xShape = [2, 9, 7, 3];
  const filterShape = [3, 3, 3, 4];
  const x = randomNormal(2 * 9 * 7 * 3, 7);
  const filter = randomNormal(3 * 3 * 3 * 4, 8);
  // Forward on wasm vs the naive loop
  const y = tf.tidy(() => tf.conv2d(tf.tensor4d(x, xShape as [number, number, number, number]), tf.tensor4d(filter, filterShape as [number, number, number, number]), 2, 'same').dataSync() as Float32Array);
  const ref = conv2d(x, xShape, filter, filterShape, { strides: 2, padding: 'same' });
  assert.ok(relativeError(Float32Array.from(y), ref.data) <= TOLERANCE);
  // Gradient of Σ dy·conv(x) wrt x is the transposed convolution of dy (filter laid out [kh, kw, outC, inC])
  const dy = randomNormal(ref.data.length, 9);
  const dx = tf.tidy(() => {
    const w = tf.tensor4d(filter, filterShape as [number, number, number, number]);
    const g = tf.grad((xt: tf.Tensor) => tf.conv2d(xt as tf.Tensor4D, w, 2, 'same').mul(tf.tensor(dy, [...ref.shape])).sum());
    return Float32Array.from(g(tf.tensor4d(x, xShape as [number, number, number, number])).dataSync());
  });
  const dxRef = conv2dTranspose(dy, ref.shape, filter, filterShape, { strides: 2, padding: 'same', outputSize: [9, 7] });
  assert.ok(relativeError(dx, dxRef.data) <= TOLERANCE, `relative error ${relativeError(dx, dxRef.data)}`);
});

test('tf.conv2dTranspose (U-Net up-sampling, forward = Conv2DBackpropInput) on wasm equals the naive loop', async () => {
  await initEngine();
  const xShape = [2, 5, 6, 8];
  const filterShape = [2, 2, 4, 8]; // [kh, kw, outC, inC]
  const x = randomNormal(2 * 5 * 6 * 8, 11);
  const filter = randomNormal(2 * 2 * 4 * 8, 12);
  const out = tf.tidy(() =>
    Float32Array.from(tf.conv2dTranspose(tf.tensor4d(x, xShape as [number, number, number, number]), tf.tensor4d(filter, filterShape as [number, number, number, number]), [2, 10, 12, 4], 2, 'same').dataSync()),
  );
  const ref = conv2dTranspose(x, xShape, filter, filterShape, { strides: 2, padding: 'same' });
  assert.deepEqual(ref.shape, [2, 10, 12, 4]);
  assert.ok(relativeError(out, ref.data) <= TOLERANCE, `relative error ${relativeError(out, ref.data)}`);
});

test('Identity shares the buffer: equal values, the clone outlives its source, a variable assign leaves the clone alone', async () => {
  await initEngine();
  const source = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const clone = tf.engine().runKernel('Identity', { x: source }) as tf.Tensor;
  assert.deepEqual(clone.shape, [2, 3]);
  source.dispose();
  assert.deepEqual(Array.from(clone.dataSync()), [1, 2, 3, 4, 5, 6]);
  const v = tf.variable(tf.tensor1d([7, 8]));
  const saved = tf.engine().runKernel('Identity', { x: v }) as tf.Tensor;
  v.assign(tf.tensor1d([9, 10]));
  assert.deepEqual(Array.from(saved.dataSync()), [7, 8]);
  assert.deepEqual(Array.from(v.dataSync()), [9, 10]);
  // Gradients through ops that save their inputs (engine clones) still match the analytic value: d/dx Σ x³ = 3x².
  const g = tf.grad((x: tf.Tensor) => x.pow(3).sum())(tf.tensor1d([1, -2, 0.5]));
  assert.deepEqual(Array.from(g.dataSync()), [3, 12, 0.75]);
  tf.dispose([clone, v, saved, g]);
});

test('Sum matches the cpu backend: leading axes (the heap loop), keepDims, other axes and int32 (upstream path)', async () => {
  const cases: Array<{ shape: number[]; axis: number[] | number; keepDims: boolean; dtype?: 'int32' }> = [
    { shape: [8, 32, 32, 5], axis: [0, 1, 2], keepDims: false }, // bias gradient: the heap loop
    { shape: [8, 32, 32, 5], axis: [2, 0, 1], keepDims: true }, // the same axes, unsorted, keepDims
    { shape: [64, 70, 3], axis: [0, 1], keepDims: false },
    { shape: [4096, 2], axis: 0, keepDims: false },
    { shape: [8, 32, 32, 5], axis: [1, 2], keepDims: false }, // not leading: upstream
    { shape: [8, 32, 32, 5], axis: [0, 1, 2, 3], keepDims: false }, // everything: upstream
    { shape: [3, 5], axis: 0, keepDims: true }, // small: upstream
    { shape: [64, 64, 2], axis: [0, 1], keepDims: false, dtype: 'int32' },
  ];
  for (const [i, c] of cases.entries()) {
    const values = randomNormal(c.shape.reduce((a, b) => a * b), 900 + i);
    const { cpu, wasm } = await onBothBackends(() => {
      const x = c.dtype === 'int32' ? tf.tensor(Array.from(values, (v) => Math.round(10 * v)), c.shape, 'int32') : tf.tensor(values, c.shape);
      const s = tf.sum(x, c.axis, c.keepDims);
      return [s.toFloat(), tf.tensor1d(s.shape)]; // values and shape
    });
    assert.deepEqual(wasm[1], cpu[1], `case ${i}: output shape`);
    assert.ok(relativeError(wasm[0], cpu[0]) <= TOLERANCE, `case ${i}: relative error ${relativeError(wasm[0], cpu[0])}`);
  }
});

test('MaxPoolGrad matches the cpu backend (bit for bit without overlap): ties after ReLU, NaN windows, odd sizes, overlapping and padded pools', async () => {
  const cases: Array<{ shape: [number, number, number, number]; pool: number; stride: number; pad: 'valid' | 'same' }> = [
    { shape: [3, 8, 10, 5], pool: 2, stride: 2, pad: 'valid' }, // U-Net's pool
    { shape: [2, 6, 4, 3], pool: 2, stride: 2, pad: 'same' }, // even sizes: no padding
    { shape: [1, 4, 6, 2], pool: 3, stride: 3, pad: 'valid' }, // 3×3/3 tiles exactly
    { shape: [2, 9, 7, 3], pool: 2, stride: 2, pad: 'valid' }, // odd sizes: a row and a column left out
    { shape: [2, 7, 9, 3], pool: 3, stride: 2, pad: 'same' }, // overlapping windows (gradients add up), padded
    { shape: [1, 5, 5, 2], pool: 2, stride: 1, pad: 'same' }, // stride 1, padding at the bottom/right only
    // channels a multiple of 4, windows tiling the image: the SIMD kernel (maxpool-grad.ts)
    { shape: [3, 8, 10, 8], pool: 2, stride: 2, pad: 'valid' },
    { shape: [2, 6, 4, 12], pool: 2, stride: 2, pad: 'same' },
    { shape: [2, 9, 7, 4], pool: 2, stride: 2, pad: 'valid' }, // odd sizes: the loop
  ];
  await initEngine();
  for (const [i, c] of cases.entries()) {
    const values = randomNormal(size(c.shape), 700 + i).map((v) => Math.max(0, v)); // ReLU: many tied zeros
    // case 0, [3, 8, 10, 5]: the window of output (0, 0, 0) channel 0 — x[0, 0..1, 0..1, 0], flat 0, 5, 50, 55 —
    // is all NaN (no input gets its gradient); in the next window, channel 1, x[0, 0, 2, 1] (flat 11) is NaN
    if (i === 0) for (const at of [0, 5, 50, 55, 11]) values[at] = Number.NaN;
    // case 6, [3, 8, 10, 8]: the same pattern (flat 0, 8, 80, 88 all NaN; 17 NaN) and −∞ in a window of its own
    if (i === 6) for (const at of [0, 8, 80, 88, 17]) values[at] = Number.NaN;
    if (i === 6) for (const at of [2 * 80 + 4, 2 * 80 + 12, 3 * 80 + 4, 3 * 80 + 12]) values[at] = Number.NEGATIVE_INFINITY;
    const outShape = tf.tidy(() => tf.maxPool(tf.zeros(c.shape) as tf.Tensor4D, c.pool, c.stride, c.pad).shape);
    const dy = randomNormal(size(outShape), 750 + i);
    if (i === 6) dy[3] = -0; // a −0 gradient lands as +0, as in the cpu backend
    const { cpu, wasm } = await onBothBackends(() => {
      const input = tf.tensor4d(values, c.shape);
      const output = tf.maxPool(input, c.pool, c.stride, c.pad);
      return tf.engine().runKernel('MaxPoolGrad', { dy: tf.tensor(dy, outShape), input, output }, { filterSize: c.pool, strides: c.stride, pad: c.pad } as unknown as tf.NamedAttrMap) as tf.Tensor;
    });
    assert.equal(wasm[0].length, size(c.shape), `case ${i}: output length`);
    if (c.pool <= c.stride) {
      // one window per input: the same input picked, the same dy copied
      const firstDifference = wasm[0].findIndex((v, k) => !Object.is(v, cpu[0][k]));
      assert.equal(firstDifference, -1, `case ${i}: dx differs at ${firstDifference}: ${wasm[0][firstDifference]} vs cpu ${cpu[0][firstDifference]}`);
    } else {
      // overlapping windows: float32 sums in another order than the cpu backend's
      assert.ok(relativeError(wasm[0], cpu[0]) <= 1e-6, `case ${i}: relative error ${relativeError(wasm[0], cpu[0])}`);
    }
    // the reference routes every window's gradient somewhere except all-NaN windows: the sums agree
    const total = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    if (i > 0 && i !== 3 && i !== 6 && i !== 8) assert.ok(Math.abs(total(wasm[0]) - dy.reduce((s, v) => s + v, 0)) <= 1e-3, `case ${i}: Σ dx = Σ dy`);
  }
});

test('SplitV matches the cpu backend: last axis (the heap loop; sizes, counts, axis −1) and other axes (upstream)', async () => {
  const cases: Array<{ shape: number[]; split: number | number[]; axis: number }> = [
    { shape: [2, 5, 6, 24], split: [16, 8], axis: 3 }, // U-Net concat gradient: skip and up-sampled channels
    { shape: [3, 7, 9], split: 3, axis: -1 },
    { shape: [4, 10], split: [1, 2, 7], axis: 1 },
    { shape: [2, 6, 5, 4], split: [2, 4], axis: 1 }, // not the last axis: upstream
  ];
  for (const [i, c] of cases.entries()) {
    const values = randomNormal(size(c.shape), 800 + i);
    const { cpu, wasm } = await onBothBackends(() => {
      const parts = tf.split(tf.tensor(values, c.shape), c.split, c.axis);
      return [...parts, tf.tensor1d(parts.flatMap((p) => p.shape))]; // values, then every part's shape
    });
    assert.equal(wasm.length, cpu.length, `case ${i}: number of parts`);
    for (let k = 0; k < cpu.length; k++) assert.deepEqual(Array.from(wasm[k]), Array.from(cpu[k]), `case ${i}: part ${k}`);
  }
});

test('Concat matches the cpu backend: last axis (the heap loop; 2 and 3 inputs, rank 1, axis −1) and other axes (upstream)', async () => {
  const cases: Array<{ shapes: number[][]; axis: number }> = [
    { shapes: [[2, 5, 6, 16], [2, 5, 6, 8]], axis: 3 }, // U-Net skip connection
    { shapes: [[3, 4, 2], [3, 4, 5], [3, 4, 1]], axis: -1 },
    { shapes: [[3], [4]], axis: 0 },
    { shapes: [[2, 3, 4], [2, 5, 4]], axis: 1 }, // not the last axis: upstream
  ];
  for (const [i, c] of cases.entries()) {
    const values = c.shapes.map((s, k) => randomNormal(size(s), 850 + 10 * i + k));
    const { cpu, wasm } = await onBothBackends(() => {
      const joined = tf.concat(c.shapes.map((s, k) => tf.tensor(values[k], s)), c.axis);
      return [joined, tf.tensor1d(joined.shape)];
    });
    assert.deepEqual(wasm[1], cpu[1], `case ${i}: shape`);
    assert.deepEqual(Array.from(wasm[0]), Array.from(cpu[0]), `case ${i}: values`);
  }
});

test('Cast to the same dtype shares the buffer (values kept after the source is freed); real casts match the cpu backend', async () => {
  await initEngine();
  const source = tf.tensor2d([[1.5, -2], [0, 3.25]]);
  const same = tf.cast(source, 'float32');
  source.dispose();
  assert.deepEqual(Array.from(same.dataSync()), [1.5, -2, 0, 3.25]);
  same.dispose();
  const values = [1.7, -2.2, 0, 3.9, -0.4];
  const { cpu, wasm } = await onBothBackends(() => [
    tf.cast(tf.tensor1d(values), 'int32'),
    tf.cast(tf.tensor1d([3, -1, 0], 'int32'), 'float32'),
    tf.cast(tf.tensor1d([3, -1, 0], 'int32'), 'int32'),
  ]);
  for (let i = 0; i < cpu.length; i++) assert.deepEqual(wasm[i], cpu[i], `case ${i}`);
  // ReLU's gradient (dy · cast(step(x), 'float32')) is unchanged
  const g = tf.grad((x: tf.Tensor) => tf.relu(x).mul(tf.tensor1d([2, 3, 4])).sum())(tf.tensor1d([-1, 0.5, 2]));
  assert.deepEqual(Array.from(g.dataSync()), [0, 3, 4]);
  g.dispose();
});

test('Add of a bias [C] to x [..., C] (the SIMD kernel; either order, leading 1s) equals the cpu backend bit for bit; other shapes go upstream', async () => {
  const cases: Array<[number[], number[]]> = [
    [[2, 5, 6, 16], [16]], // a conv's bias
    [[3, 7, 9, 5], [5]], // C not a multiple of 4: the scalar tail
    [[1, 1, 6], [2, 3, 4, 6]], // the bias first, with leading 1s
    [[6], [6]], // same size: upstream
    [[4, 6], [1, 6]],
    [[7, 3], [7, 3]], // same shape: upstream
    [[2, 3], [1]], // scalar-like: upstream
    [[4, 8], [4, 1]], // broadcast along another axis: upstream
  ];
  for (const [i, [sa, sb]] of cases.entries()) {
    const a = randomNormal(size(sa), 950 + 2 * i);
    const b = randomNormal(size(sb), 951 + 2 * i);
    const { cpu, wasm } = await onBothBackends(() => [tf.add(tf.tensor(a, sa), tf.tensor(b, sb)), tf.add(tf.tensor(b, sb), tf.tensor(a, sa))]);
    assert.deepEqual(wasm, cpu, `case ${i}: ${sa} + ${sb}`);
  }
  const ints = await onBothBackends(() => tf.add(tf.tensor([[1, 2], [3, 4]], [2, 2], 'int32'), tf.tensor([10, 20], [2], 'int32')));
  assert.deepEqual(ints.wasm, ints.cpu);
});

test('the runtime SIMD kernels of the pack build on the engine heap (so the tests above exercise them, not the fallbacks)', async () => {
  await initEngine();
  const backend = tf.backend() as unknown as HeapBackend;
  assert.ok(heapRowCopier(backend), 'copy-rows (Concat, SplitV)');
  assert.ok(heapBiasAdd(backend), 'bias-add (Add)');
  assert.ok(heapMaxPoolGrad2x2(backend), 'maxpool-grad (MaxPoolGrad)');
});

test('Relu and its one-pass gradient (DetsegReluGrad) equal the cpu backend bit for bit: NaN, ±0, ±∞, odd lengths; the gradient runs one kernel', async () => {
  const special = [Number.NaN, -0, 0, 1.5, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const length of [7, 8, 1029]) {
    const values = randomNormal(length, 1200 + length);
    values.set(special.slice(0, Math.min(length, special.length)));
    const weights = randomNormal(length, 1300 + length);
    weights[1] = -2; // dy < 0 at x = −0: the product is −0
    const { cpu, wasm } = await onBothBackends(() => {
      const x = tf.tensor1d(values);
      const w = tf.tensor1d(weights);
      return [tf.relu(x), tf.grad((t: tf.Tensor) => tf.relu(t).mul(w).sum())(x)];
    });
    for (const k of [0, 1]) {
      const differs = wasm[k].findIndex((v, i) => !Object.is(v, cpu[k][i]));
      assert.equal(differs, -1, `length ${length}, ${k ? 'gradient' : 'relu'} differs at ${differs}: ${wasm[k][differs]} vs cpu ${cpu[k][differs]}`);
    }
  }
  await initEngine();
  const x = tf.randomNormal([4, 8, 8, 16], 0, 1, 'float32', 3);
  const profile = profileKernels(() => tf.dispose(tf.grad((t: tf.Tensor) => tf.relu(t).sum())(x)));
  const calls = new Map(profile.kernels.map((k) => [k.kernel, k.calls]));
  assert.equal(calls.get('DetsegReluGrad'), 1);
  assert.equal(calls.get('Step'), undefined, 'no Step');
  x.dispose();
});
