import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { conv2d } from '../helpers/conv2d.js';
import { initEngine } from '../../src/engine/setup.js';
import { directFilterGradient, directFilterGradientApplies } from '../../src/engine/filter-gradient.js';
import type { HeapBackend } from '../../src/engine/heap-backend.js';
import { onBothBackends, randomNormal, relativeError } from './backends.js';

// Output channels a multiple of 4 (the direct kernels); input channels with and without a remainder
// of 4, output channels with and without a remainder of 8; strides 1 and 2, 'same' and 'valid', odd
// sizes, kernels 1–5, U-Net's 2×2/2 (patches) and a 1×1.
const CASES: Array<{ h: number; w: number; k: number; s: number; pad: 'same' | 'valid'; n: number; ci: number; co: number }> = [
  { h: 7, w: 9, k: 3, s: 1, pad: 'same', n: 2, ci: 3, co: 4 },
  { h: 9, w: 7, k: 3, s: 1, pad: 'same', n: 2, ci: 16, co: 16 },
  { h: 8, w: 11, k: 3, s: 1, pad: 'valid', n: 3, ci: 6, co: 12 },
  { h: 7, w: 9, k: 3, s: 2, pad: 'same', n: 2, ci: 5, co: 8 },
  { h: 9, w: 8, k: 3, s: 2, pad: 'valid', n: 1, ci: 9, co: 20 },
  { h: 11, w: 7, k: 5, s: 2, pad: 'same', n: 2, ci: 1, co: 4 },
  { h: 8, w: 7, k: 4, s: 1, pad: 'same', n: 2, ci: 2, co: 8 },
  { h: 6, w: 9, k: 5, s: 1, pad: 'valid', n: 2, ci: 7, co: 28 },
  { h: 8, w: 10, k: 2, s: 2, pad: 'valid', n: 2, ci: 32, co: 16 },
  { h: 6, w: 6, k: 1, s: 1, pad: 'valid', n: 2, ci: 4, co: 4 },
  { h: 16, w: 16, k: 3, s: 1, pad: 'same', n: 2, ci: 1, co: 16 }, // U-Net's first conv
  { h: 3, w: 3, k: 5, s: 1, pad: 'same', n: 1, ci: 4, co: 4 }, // taps wider than the image
  // Co not a multiple of 4 but Ci: x and dy swap roles (U-Net's 1×1 logits, then general shapes)
  { h: 16, w: 16, k: 1, s: 1, pad: 'valid', n: 2, ci: 16, co: 1 },
  { h: 9, w: 7, k: 3, s: 1, pad: 'same', n: 2, ci: 8, co: 3 },
  { h: 9, w: 8, k: 3, s: 2, pad: 'valid', n: 1, ci: 12, co: 6 },
  { h: 8, w: 10, k: 2, s: 2, pad: 'valid', n: 2, ci: 4, co: 2 },
];

const TOLERANCE = 1e-4;
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

for (const [index, c] of CASES.entries()) {
  test(`Conv2DBackpropFilter (direct SIMD kernels) matches the cpu backend and the naive loop: ${c.n}×${c.h}×${c.w}×${c.ci} → ${c.co}, ${c.k}×${c.k} stride ${c.s} '${c.pad}'`, async () => {
    await initEngine();
    const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
    const filterShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
    const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, c.s, 1, c.pad);
    assert.ok(directFilterGradientApplies(info));
    const yShape = [c.n, info.outHeight, info.outWidth, c.co];
    const x = randomNormal(size(xShape), 700 + index);
    const dy = randomNormal(size(yShape), 800 + index);
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape };
    const { cpu, wasm } = await onBothBackends(() => tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, xShape), dy: tf.tensor(dy, yShape) }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor);
    assert.equal(wasm[0].length, size(filterShape));
    assert.ok(relativeError(wasm[0], cpu[0]) <= TOLERANCE, `vs cpu: relative error ${relativeError(wasm[0], cpu[0])}`);
    // the same through directFilterGradient itself (not a fallback), against the adjoint identity
    // Σ dW·W = Σ dy·conv(x, W) for a random W, conv by the naive loop of src/ops
    const direct = tf.tidy(() => {
      const backend = tf.backend() as unknown as HeapBackend;
      const xt = tf.tensor4d(x, xShape);
      const dyt = tf.tensor(dy, yShape);
      const out = directFilterGradient(backend, xt, dyt, info);
      assert.ok(out, 'the direct kernels ran');
      const values = Float32Array.from(backend.typedArrayFromHeap(out));
      backend.disposeData(out.dataId);
      return values;
    });
    assert.deepEqual(direct, wasm[0]);
    const filter = randomNormal(size(filterShape), 900 + index);
    const y = conv2d(x, xShape, filter, filterShape, { strides: c.s, padding: c.pad });
    let lhs = 0;
    let rhs = 0;
    let scale = 0;
    for (let i = 0; i < filter.length; i++) {
      lhs += direct[i] * filter[i];
      scale += Math.abs(direct[i] * filter[i]);
    }
    for (let i = 0; i < dy.length; i++) rhs += dy[i] * y.data[i];
    assert.ok(Math.abs(lhs - rhs) <= 1e-4 * scale, `adjoint: ${lhs} vs ${rhs}`);
  });
}

test('directFilterGradientApplies: dilation 1, and output or input channels a multiple of 4', () => {
  const info = (ci: number, co: number, dilation: number) => tf.backend_util.computeConv2DInfo([1, 8, 8, ci], [3, 3, ci, co], 1, dilation, 'same');
  assert.equal(directFilterGradientApplies(info(3, 8, 1)), true);
  assert.equal(directFilterGradientApplies(info(8, 1, 1)), true);
  assert.equal(directFilterGradientApplies(info(3, 6, 1)), false);
  assert.equal(directFilterGradientApplies(info(3, 1, 1)), false);
  assert.equal(directFilterGradientApplies(info(3, 8, 2)), false);
});
