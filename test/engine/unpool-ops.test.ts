import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/setup.js';
import { bedOfNailsUnpool, maxPoolWithSwitchesOp, maxUnpoolOp, nearestUnpool } from '../../src/engine/unpool-ops.js';
import { checkFiniteDifferences } from '../ops/gradient-check.js';
import { randomNormal } from './backends.js';

type Shape4 = [number, number, number, number];

/** Naive loops: output pixel (y, x) reads input (⌊y/f⌋, ⌊x/f⌋); bed of nails only where both are multiples of f. */
function naiveUnpool(x: Float32Array, [b, h, w, c]: Shape4, f: number, nails: boolean): Float32Array {
  const out = new Float32Array(b * h * f * w * f * c);
  for (let n = 0; n < b; n++) for (let y = 0; y < h * f; y++) for (let xx = 0; xx < w * f; xx++) for (let ch = 0; ch < c; ch++) {
    const on = !nails || (y % f === 0 && xx % f === 0);
    out[((n * h * f + y) * w * f + xx) * c + ch] = on ? x[((n * h + Math.floor(y / f)) * w + Math.floor(xx / f)) * c + ch] : 0;
  }
  return out;
}

/** Σ w · f(x) in double precision. */
function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Checks op's gradient of Σ w·op(x) against central finite differences of the same function on the engine. */
function gradientCheck(name: string, op: (x: tf.Tensor4D) => tf.Tensor4D, x: Float32Array, shape: Shape4, eps: number): number {
  const outSize = tf.tidy(() => op(tf.tensor4d(x, shape)).size);
  const w = randomNormal(outSize, 31);
  const loss = (v: Float32Array) => tf.tidy(() => dot(op(tf.tensor4d(v, shape)).dataSync(), w));
  const grad = tf.tidy(() => Float32Array.from(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.reshape(op(t as tf.Tensor4D), [-1]), tf.tensor1d(w))))(tf.tensor4d(x, shape)).dataSync()));
  return checkFiniteDifferences(x, loss, grad, eps, 1e-3, name, 1e-6);
}

test('nearest and bed-of-nails unpooling equal naive loops on the engine (factors 2 and 3, odd sizes)', async () => {
  await initEngine();
  for (const [shape, f] of [[[2, 3, 5, 4], 2], [[1, 2, 3, 1], 3]] as Array<[Shape4, number]>) {
    const x = randomNormal(shape.reduce((a, b) => a * b), 3);
    for (const nails of [false, true]) {
      const got = tf.tidy(() => Float32Array.from((nails ? bedOfNailsUnpool : nearestUnpool)(tf.tensor4d(x, shape), f).dataSync()));
      assert.deepEqual(got, naiveUnpool(x, shape, f, nails), `nails=${nails} f=${f}`);
    }
  }
});

test('the lecture\'s 2×2 → 4×4 unpoolings of [[1, 2], [3, 4]] (hand-worked)', async () => {
  await initEngine();
  const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  assert.deepEqual(Array.from(nearestUnpool(x, 2).dataSync()), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  assert.deepEqual(Array.from(bedOfNailsUnpool(x, 2).dataSync()), [1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
  x.dispose();
});

test('unpooling gradients equal central finite differences (nearest, bed of nails, max pool, max unpool)', async () => {
  await initEngine();
  const shape: Shape4 = [2, 3, 4, 2];
  const x = randomNormal(48, 8);
  assert.ok(gradientCheck('nearest', (t) => nearestUnpool(t, 2), x, shape, 1e-2) === 48);
  assert.ok(gradientCheck('bed of nails', (t) => bedOfNailsUnpool(t, 3), x, shape, 1e-2) === 48);
  // max pool with switches on a 4×6 map (distinct values: no tie moves under the ±eps step)
  const poolShape: Shape4 = [1, 4, 6, 2];
  const px = randomNormal(48, 12);
  assert.equal(gradientCheck('max pool', (t) => maxPoolWithSwitchesOp(t, 2).output, px, poolShape, 1e-3), 12);
  // max unpool with fixed switches: linear in its values
  const { switches, inputShape } = tf.tidy(() => {
    const p = maxPoolWithSwitchesOp(tf.tensor4d(px, poolShape), 2);
    return { switches: p.switches, inputShape: p.inputShape };
  });
  const vals = randomNormal(12, 13);
  assert.equal(gradientCheck('max unpool', (t) => maxUnpoolOp(t, switches, inputShape), vals, [1, 2, 3, 2], 1e-2), 12);
});

test('max pool then max unpool on the engine equals the typed-array kernels and keeps each maximum in place', async () => {
  await initEngine();
  const shape: Shape4 = [2, 6, 4, 3];
  const x = randomNormal(144, 21);
  const back = tf.tidy(() => {
    const p = maxPoolWithSwitchesOp(tf.tensor4d(x, shape), 2);
    const ref = tf.maxPool(tf.tensor4d(x, shape), 2, 2, 'valid');
    assert.deepEqual(Array.from(p.output.dataSync()), Array.from(ref.dataSync()));
    return Float32Array.from(maxUnpoolOp(p.output, p.switches, p.inputShape).dataSync());
  });
  // every nonzero cell holds the input value, and each 2×2 window has exactly one per channel
  let kept = 0;
  for (let i = 0; i < x.length; i++) if (back[i] !== 0) { assert.equal(back[i], x[i]); kept++; }
  assert.equal(kept, 2 * 3 * 2 * 3);
});
