import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { sigmoidCrossEntropy } from '../../../src/models/losses.js';
import { EfficientSelfAttention } from '../../../src/models/segformer/efficient-attention.js';
import { LayerNorm } from '../../../src/models/segformer/layer-norm-layer.js';
import { mixFfn } from '../../../src/models/segformer/mix-ffn.js';
import { buildSegFormer } from '../../../src/models/segformer/segformer.js';
import { DetsegInputError } from '../../../src/util/errors.js';
import { mulberry32 } from '../../../src/util/random.js';
import { discBatch, overfit } from '../../engine/synthetic.js';
import { randomNormal, relativeError } from '../../engine/backends.js';
import { conv2d } from '../../helpers/conv2d.js';
import { checkFiniteDifferences } from '../../ops/gradient-check.js';

type Shape4 = [number, number, number, number];

/** rows × cols matrix `a [n, k]` · `b [k, m]` + bias, naive. */
function affine(a: Float32Array, n: number, k: number, b: Float32Array, m: number, bias: Float32Array): Float32Array {
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    let s = bias[j];
    for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * m + j];
    out[i * m + j] = s;
  }
  return out;
}

/** Naive efficient self-attention of one image's tokens `x [N, d]` laid out on an h×w grid. */
function naiveEfficientAttention(x: Float32Array, h: number, w: number, d: number, heads: number, r: number, wts: Float32Array[]): { out: Float32Array; attention: Float32Array } {
  const [wq, bq, wk, bk, wv, bv, wo, bo] = wts;
  const n = h * w;
  let kv = x;
  let m = n;
  if (r > 1) {
    const [srK, srB, gamma, beta] = wts.slice(8);
    const conv = conv2d(x, [1, h, w, d], srK, [r, r, d, d], { strides: r }).data;
    m = conv.length / d;
    kv = new Float32Array(m * d);
    for (let i = 0; i < m; i++) {
      let mean = 0, varc = 0;
      for (let c = 0; c < d; c++) mean += (conv[i * d + c] + srB[c]) / d;
      for (let c = 0; c < d; c++) varc += (conv[i * d + c] + srB[c] - mean) ** 2 / d;
      for (let c = 0; c < d; c++) kv[i * d + c] = ((conv[i * d + c] + srB[c] - mean) / Math.sqrt(varc + 1e-5)) * gamma[c] + beta[c];
    }
  }
  const q = affine(x, n, d, wq, d, bq), k = affine(kv, m, d, wk, d, bk), v = affine(kv, m, d, wv, d, bv);
  const dh = d / heads;
  const merged = new Float32Array(n * d);
  const attention = new Float32Array(heads * n * m);
  for (let hd = 0; hd < heads; hd++) for (let i = 0; i < n; i++) {
    const scores = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < dh; t++) s += q[i * d + hd * dh + t] * k[j * d + hd * dh + t];
      scores[j] = s / Math.sqrt(dh);
    }
    const max = Math.max(...scores);
    let z = 0;
    for (let j = 0; j < m; j++) z += Math.exp(scores[j] - max);
    for (let j = 0; j < m; j++) {
      const a = Math.exp(scores[j] - max) / z;
      attention[(hd * n + i) * m + j] = a;
      for (let t = 0; t < dh; t++) merged[i * d + hd * dh + t] += a * v[j * d + hd * dh + t];
    }
  }
  return { out: affine(merged, n, d, wo, d, bo), attention };
}

test('EfficientSelfAttention equals naive attention over keys/values reduced by an R×R stride-R conv + layer norm', async () => {
  await initEngine();
  for (const [r, heads] of [[2, 2], [1, 1], [4, 2]]) {
    const [b, h, w, d] = [2, 4, 8, 4];
    const layer = new EfficientSelfAttention(d, heads, r, { seed: 7, next: 0 }, `attn${r}`);
    const x = randomNormal(b * h * w * d, 11);
    const xt = tf.tensor4d(x, [b, h, w, d]);
    const out = Float32Array.from((layer.apply(xt) as tf.Tensor).dataSync());
    // give the biases and the norm non-trivial values so that they are checked too
    layer.setWeights(layer.getWeights().map((t, i) => (i % 2 === 1 || i >= 9 ? tf.tensor(randomNormal(t.size, 20 + i), t.shape) : t)));
    const wts = layer.getWeights().map((t) => t.dataSync() as Float32Array);
    const out2 = Float32Array.from((layer.apply(xt) as tf.Tensor).dataSync());
    const att = layer.attention(xt);
    assert.deepEqual(att.shape, [b, heads, h * w, (h * w) / (r * r)]);
    const attValues = att.dataSync() as Float32Array;
    const per = heads * h * w * ((h * w) / (r * r));
    for (let n = 0; n < b; n++) {
      const img = x.subarray(n * h * w * d, (n + 1) * h * w * d);
      const ref = naiveEfficientAttention(img, h, w, d, heads, r, wts);
      assert.ok(relativeError(out2.subarray(n * h * w * d, (n + 1) * h * w * d), ref.out) < 1e-5, `R=${r} image ${n}`);
      assert.ok(relativeError(attValues.subarray(n * per, (n + 1) * per), ref.attention) < 1e-5, `R=${r} attention ${n}`);
    }
    assert.equal(out.length, out2.length);
    tf.dispose([xt, att]);
  }
});

test('EfficientSelfAttention input gradient equals finite differences', async () => {
  await initEngine();
  const shape: Shape4 = [1, 4, 4, 4];
  const layer = new EfficientSelfAttention(4, 2, 2, { seed: 3, next: 0 }, 'attn_fd');
  const x = randomNormal(64, 4);
  const wsum = randomNormal(64, 5);
  const loss = (v: Float32Array) => tf.tidy(() => ((layer.apply(tf.tensor4d(v, shape)) as tf.Tensor).dataSync() as Float32Array).reduce((a, y, i) => a + y * wsum[i], 0));
  const grad = tf.tidy(() => Float32Array.from(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.reshape(layer.apply(t) as tf.Tensor, [-1]), tf.tensor1d(wsum))))(tf.tensor4d(x, shape)).dataSync()));
  assert.equal(checkFiniteDifferences(x, loss, grad, 1e-2, 3e-3, 'attention dx', 1e-4), 64);
});

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

test('Mix-FFN equals the naive fc1 → 3×3 depthwise → GELU → fc2', async () => {
  await initEngine();
  const [b, h, w, c, ratio] = [2, 5, 6, 3, 2];
  const input = tf.input({ shape: [h, w, c] });
  const model = tf.model({ inputs: input, outputs: mixFfn(input, c, ratio, 'ffn', { seed: 9, next: 0 }) });
  model.setWeights(model.getWeights().map((t, i) => (i % 2 === 1 ? tf.tensor(randomNormal(t.size, 40 + i), t.shape) : t)));
  const [w1, b1, dw, db, w2, b2] = model.getWeights().map((t) => t.dataSync() as Float32Array);
  const x = randomNormal(b * h * w * c, 12);
  const got = tf.tidy(() => Float32Array.from((model.predict(tf.tensor4d(x, [b, h, w, c])) as tf.Tensor).dataSync()));
  const e = c * ratio;
  const hidden = affine(x, b * h * w, c, w1, e, b1);
  const mixed = new Float32Array(hidden.length);
  for (let n = 0; n < b; n++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let ch = 0; ch < e; ch++) {
    let s = db[ch];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const yy = y + i - 1, xj = xx + j - 1;
      if (yy >= 0 && yy < h && xj >= 0 && xj < w) s += dw[(i * 3 + j) * e + ch] * hidden[((n * h + yy) * w + xj) * e + ch];
    }
    mixed[((n * h + y) * w + xx) * e + ch] = 0.5 * s * (1 + erf(s / Math.SQRT2));
  }
  assert.ok(relativeError(got, affine(mixed, b * h * w, e, w2, c, b2)) < 1e-5);
  model.dispose();
});

test('SegFormer: hierarchical features at strides 4–32, logits [B, H, W, K], parameters counted by hand', async () => {
  await initEngine();
  const dims = [8, 16, 24, 32];
  const model = buildSegFormer({ inChannels: 2, outChannels: 3, dims, heads: [1, 2, 2, 4], reductions: [4, 2, 1, 1], depths: [1, 2, 1, 1], decoderDim: 16, mlpRatio: 2, seed: 1 });
  const shape = tf.tidy(() => (model.predict(tf.zeros([2, 64, 96, 2])) as tf.Tensor).shape);
  assert.deepEqual(shape, [2, 64, 96, 3]);
  const stageModel = tf.model({ inputs: model.inputs, outputs: [0, 1, 2, 3].map((s) => model.getLayer(`stage${s}_norm`).output as tf.SymbolicTensor) });
  const shapes = tf.tidy(() => (stageModel.predict(tf.zeros([1, 64, 96, 2])) as tf.Tensor[]).map((t) => t.shape));
  assert.deepEqual(shapes, [[1, 16, 24, 8], [1, 8, 12, 16], [1, 4, 6, 24], [1, 2, 3, 32]]);
  const conv = (k: number, ci: number, co: number) => k * k * ci * co + co;
  let expected = 0;
  const depths = [1, 2, 1, 1], reductions = [4, 2, 1, 1];
  let cin = 2;
  dims.forEach((d, s) => {
    expected += conv(s === 0 ? 7 : 3, cin, d) + 2 * d; // patch embedding + its norm
    const attention = 4 * (d * d + d) + (reductions[s] > 1 ? conv(reductions[s], d, d) + 2 * d : 0);
    const ffn = conv(1, d, 2 * d) + (9 * 2 * d + 2 * d) + conv(1, 2 * d, d);
    expected += depths[s] * (2 * 2 * d + attention + ffn) + 2 * d; // blocks (2 norms each) + stage norm
    cin = d;
  });
  expected += dims.reduce((a, d) => a + conv(1, d, 16), 0) + conv(1, 64, 16) + conv(1, 16, 3);
  assert.equal(model.countParams(), expected);
  model.dispose();
  assert.throws(() => buildSegFormer({ inputSize: [48, 48] }), (e: Error) => e instanceof DetsegInputError && /inputSize/.test(e.message));
  assert.throws(() => buildSegFormer({ heads: [1, 2, 4] }), (e: Error) => e instanceof DetsegInputError && /heads/.test(e.message));
});

test('a tiny SegFormer lowers its loss on a tiny synthetic batch (×3 in 60 steps)', async () => {
  await initEngine();
  const model = buildSegFormer({ dims: [8, 8, 8, 8], heads: [1, 1, 2, 2], reductions: [2, 1, 1, 1], decoderDim: 8, mlpRatio: 2, seed: 3 });
  const batch = discBatch(mulberry32(3), 2, 32);
  const { first, last } = overfit(model, batch.x, batch.y, sigmoidCrossEntropy, 60, 1e-2);
  assert.ok(last * 3 <= first, `loss ${first} → ${last}`);
  model.dispose();
});

test('the LayerNorm layer equals tfjs\' layerNormalization layer (forward and input gradient)', async () => {
  await initEngine();
  const shape: Shape4 = [2, 3, 5, 6];
  const x = tf.tensor4d(randomNormal(180, 50), shape);
  const ours = new LayerNorm('ln');
  const theirs = tf.layers.layerNormalization({ axis: -1, epsilon: 1e-5 });
  ours.apply(x);
  theirs.apply(x);
  const gamma = tf.tensor1d(randomNormal(6, 51)), beta = tf.tensor1d(randomNormal(6, 52));
  ours.setWeights([gamma, beta]);
  theirs.setWeights([gamma, beta]);
  const w = tf.tensor(randomNormal(180, 53), shape);
  for (const [a, b] of [[ours.apply(x), theirs.apply(x)], [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(ours.apply(t) as tf.Tensor, w)))(x), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(theirs.apply(t) as tf.Tensor, w)))(x)]] as Array<[tf.Tensor, tf.Tensor]>) {
    assert.ok(relativeError(Float32Array.from(a.dataSync()), Float32Array.from(b.dataSync())) < 1e-5);
  }
});
