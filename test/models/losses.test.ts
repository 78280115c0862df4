import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/setup.js';
import { crossEntropyDiceLoss, segmentationLoss, sigmoidCrossEntropy, sigmoidCrossEntropyPerElement, softDiceLoss, softmaxCrossEntropy } from '../../src/models/losses.js';
import { mulberry32 } from '../../src/util/random.js';

// Naive double-precision references of each loss, written from the textbook formulas.
const sig = (z: number) => 1 / (1 + Math.exp(-z));

function naiveBce(z: number[], y: number[]): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) s += -(y[i] * Math.log(sig(z[i])) + (1 - y[i]) * Math.log(1 - sig(z[i])));
  return s / z.length;
}

/** shape [B, H, W, C] flattened; softmax over C. */
function naiveSoftmaxCe(z: number[], y: number[], c: number): number {
  let s = 0;
  const pixels = z.length / c;
  for (let p = 0; p < pixels; p++) {
    let norm = 0;
    for (let k = 0; k < c; k++) norm += Math.exp(z[p * c + k]);
    for (let k = 0; k < c; k++) s -= y[p * c + k] * Math.log(Math.exp(z[p * c + k]) / norm);
  }
  return s / pixels;
}

function naiveDice(z: number[], y: number[], shape: number[]): number {
  const [b, h, w, c] = shape;
  let total = 0;
  for (let n = 0; n < b; n++) {
    for (let k = 0; k < c; k++) {
      let inter = 0;
      let sp = 0;
      let sy = 0;
      for (let i = 0; i < h * w; i++) {
        const idx = (n * h * w + i) * c + k;
        const p = sig(z[idx]);
        inter += p * y[idx];
        sp += p;
        sy += y[idx];
      }
      total += (2 * inter + 1) / (sp + sy + 1);
    }
  }
  return 1 - total / (b * c);
}

function sample(size: number, seed: number, binary: boolean): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: size }, () => (binary ? (r() < 0.4 ? 1 : 0) : 4 * (r() - 0.5)));
}

const SHAPE = [2, 3, 4, 2];
const SIZE = SHAPE.reduce((a, b) => a * b);

function oneHot(size: number, c: number, seed: number): number[] {
  const r = mulberry32(seed);
  const y = new Array(size).fill(0);
  for (let p = 0; p < size / c; p++) y[p * c + Math.floor(r() * c)] = 1;
  return y;
}

/** Checks value and gradient (tf.grad on wasm) against the naive loss and its central differences. */
function checkLoss(name: string, lossTf: (z: tf.Tensor, y: tf.Tensor) => tf.Scalar, naive: (z: number[], y: number[]) => number, y: number[]): void {
  const z = sample(SIZE, 11, false);
  const value = tf.tidy(() => lossTf(tf.tensor(z, SHAPE), tf.tensor(y, SHAPE)).dataSync()[0]);
  const ref = naive(z, y);
  assert.ok(Math.abs(value - ref) <= 1e-5 * Math.max(1, Math.abs(ref)), `${name}: value ${value} vs ${ref}`);
  const grad = tf.tidy(() => Float32Array.from(tf.grad((zt: tf.Tensor) => lossTf(zt, tf.tensor(y, SHAPE)))(tf.tensor(z, SHAPE)).dataSync()));
  const h = 1e-5;
  let maxErr = 0;
  let maxRef = 0;
  for (let i = 0; i < SIZE; i++) {
    const zp = [...z];
    const zm = [...z];
    zp[i] += h;
    zm[i] -= h;
    const fd = (naive(zp, y) - naive(zm, y)) / (2 * h);
    maxErr = Math.max(maxErr, Math.abs(fd - grad[i]));
    maxRef = Math.max(maxRef, Math.abs(fd));
  }
  assert.ok(maxRef > 0, `${name}: gradient not all zero`);
  assert.ok(maxErr <= 1e-4 * maxRef + 1e-7, `${name}: gradient error ${maxErr} (max |grad| ${maxRef})`);
}

test('sigmoid cross-entropy: value and gradient vs the naive formula and finite differences', async () => {
  await initEngine();
  checkLoss('bce', sigmoidCrossEntropy, naiveBce, sample(SIZE, 12, true));
});

test('sigmoid cross-entropy is stable for large logits: z = ±100 gives 100 where wrong, 0 where right', async () => {
  await initEngine();
  const v = tf.tidy(() => sigmoidCrossEntropy(tf.tensor([100, -100, 100, -100]), tf.tensor([1, 0, 0, 1])).dataSync()[0]);
  assert.ok(Math.abs(v - 50) < 1e-4, `${v}`); // mean(0, 0, 100, 100)
});

test('softmax cross-entropy: value and gradient vs the naive formula and finite differences', async () => {
  await initEngine();
  checkLoss('softmax-ce', softmaxCrossEntropy, (z, y) => naiveSoftmaxCe(z, y, SHAPE[3]), oneHot(SIZE, SHAPE[3], 13));
});

test('soft Dice: value and gradient vs the naive formula and finite differences; hand-worked case', async () => {
  await initEngine();
  checkLoss('dice', (z, y) => softDiceLoss(z, y), (z, y) => naiveDice(z, y, SHAPE), sample(SIZE, 14, true));
  // z = 0 → p = 0.5 everywhere; 1 image 1×2, y = [1, 0]: dice = (2·0.5 + 1) / (1 + 1 + 1) = 2/3
  const v = tf.tidy(() => softDiceLoss(tf.zeros([1, 1, 2, 1]), tf.tensor([1, 0], [1, 1, 2, 1])).dataSync()[0]);
  assert.ok(Math.abs(v - 1 / 3) < 1e-6, `${v}`);
});

test('cross-entropy + Dice is the sum of its parts (gradient checked too)', async () => {
  await initEngine();
  checkLoss('bce+dice', (z, y) => crossEntropyDiceLoss(z, y), (z, y) => naiveBce(z, y) + naiveDice(z, y, SHAPE), sample(SIZE, 15, true));
});

test('sigmoid cross-entropy per element: each element equals the naive formula; a [P, 1] target broadcasts over C', () => {
  const z = [0.3, -2, 5, -0.7, 1.5, -4]; // [2, 3]
  const y = [1, 0]; // [2, 1]
  const got = tf.tidy(() => Array.from(sigmoidCrossEntropyPerElement(tf.tensor2d(z, [2, 3]), tf.tensor2d(y, [2, 1])).dataSync()));
  assert.equal(got.length, 6);
  got.forEach((v, i) => assert.ok(Math.abs(v - naiveBce([z[i]], [y[Math.floor(i / 3)]])) < 1e-5, `element ${i}: ${v}`));
});

/** Soft Dice with p = softmax over C (shape [B, H, W, C] flattened). */
function naiveSoftmaxDice(z: number[], y: number[], shape: number[]): number {
  const [b, h, w, c] = shape;
  const p = z.slice();
  for (let px = 0; px < b * h * w; px++) {
    let norm = 0;
    for (let k = 0; k < c; k++) norm += Math.exp(z[px * c + k]);
    for (let k = 0; k < c; k++) p[px * c + k] = Math.exp(z[px * c + k]) / norm;
  }
  let total = 0;
  for (let n = 0; n < b; n++) {
    for (let k = 0; k < c; k++) {
      let inter = 0, sp = 0, sy = 0;
      for (let i = 0; i < h * w; i++) {
        const idx = (n * h * w + i) * c + k;
        inter += p[idx] * y[idx];
        sp += p[idx];
        sy += y[idx];
      }
      total += (2 * inter + 1) / (sp + sy + 1);
    }
  }
  return 1 - total / (b * c);
}

test('segmentationLoss by name: softmax-dice and softmax-ce+dice match the naive softmax formulas (value and gradient)', async () => {
  await initEngine();
  const y = oneHot(SIZE, SHAPE[3], 16);
  checkLoss('softmax-dice', segmentationLoss('softmax-dice'), (z, t) => naiveSoftmaxDice(z, t, SHAPE), y);
  checkLoss('softmax-ce+dice', segmentationLoss('softmax-ce+dice'), (z, t) => naiveSoftmaxCe(z, t, SHAPE[3]) + naiveSoftmaxDice(z, t, SHAPE), y);
});
