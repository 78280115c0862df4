import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { conv2d } from '../../src/ops/conv2d.js';
import { conv2dTranspose } from '../../src/ops/conv-transpose.js';
import { initEngine } from '../../src/engine/setup.js';
import { WASM_KERNEL_PACK } from '../../src/engine/kernels.js';
import { onBothBackends, randomNormal, relativeError } from './backends.js';

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
];

const TOLERANCE = 1e-4;

function describe(c: (typeof CASES)[number]): string {
  return `${c.n}×${c.h}×${c.w}×${c.ci} → ${c.co}, ${c.k}×${c.k} stride ${c.s} '${c.pad}'`;
}

test('the kernel pack replaces the two conv gradient kernels on wasm', async () => {
  await initEngine();
  for (const name of WASM_KERNEL_PACK) assert.ok(tf.getKernel(name, 'wasm'), `${name} registered for wasm`);
});

for (const [index, c] of CASES.entries()) {
  test(`Conv2DBackpropFilter matches the cpu backend: ${describe(c)}`, async () => {
    await initEngine();
    const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
    const filterShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
    const yShape = tf.tidy(() => tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, c.s, c.pad).shape);
    const x = randomNormal(xShape.reduce((a, b) => a * b), 100 + index);
    const dy = randomNormal(yShape.reduce((a, b) => a * b), 200 + index);
    const { cpu, wasm } = await onBothBackends(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, xShape), dy: tf.tensor(dy, yShape) }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap) as tf.Tensor,
    );
    assert.equal(wasm[0].length, filterShape.reduce((a, b) => a * b));
    const err = relativeError(wasm[0], cpu[0]);
    assert.ok(err <= TOLERANCE, `relative error ${err}`);
  });

  test(`Conv2DBackpropInput matches the cpu backend: ${describe(c)}`, async () => {
    await initEngine();
    const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
    const filterShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
    const yShape = tf.tidy(() => tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, c.s, c.pad).shape);
    const filter = randomNormal(filterShape.reduce((a, b) => a * b), 300 + index);
    const dy = randomNormal(yShape.reduce((a, b) => a * b), 400 + index);
    const { cpu, wasm } = await onBothBackends(() =>
      tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor(dy, yShape), filter: tf.tensor4d(filter, filterShape) }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: xShape } as unknown as tf.NamedAttrMap) as tf.Tensor,
    );
    assert.equal(wasm[0].length, xShape.reduce((a, b) => a * b));
    const err = relativeError(wasm[0], cpu[0]);
    assert.ok(err <= TOLERANCE, `relative error ${err}`);
  });
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
