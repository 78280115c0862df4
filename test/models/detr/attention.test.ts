import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { multiHeadAttention, type AttentionWeights } from '../../../src/models/detr/attention.js';
import { layerNorm } from '../../../src/models/detr/layer-norm.js';
import { mulberry32 } from '../../../src/util/random.js';

const B = 2, LQ = 3, LK = 4, D = 8, H = 2;

function randomArray(random: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => random() * 2 - 1);
}

/** Naive multi-head attention in float64 loops: per image, per head, per query. Returns output [B, Lq, D] and attention [B, H, Lq, Lk]. */
function naiveAttention(q: Float32Array, k: Float32Array, v: Float32Array, w: Record<string, Float32Array>): { output: number[]; attention: number[] } {
  const proj = (x: Float32Array, rows: number, wt: Float32Array, bias: Float32Array) => {
    const out: number[] = [];
    for (let r = 0; r < rows; r++) for (let o = 0; o < D; o++) {
      let s = bias[o];
      for (let i = 0; i < D; i++) s += x[r * D + i] * wt[i * D + o];
      out.push(s);
    }
    return out;
  };
  const dh = D / H;
  const output: number[] = [];
  const attention: number[] = new Array(B * H * LQ * LK).fill(0);
  for (let b = 0; b < B; b++) {
    const Q = proj(q.subarray(b * LQ * D, (b + 1) * LQ * D), LQ, w.wq, w.bq);
    const K = proj(k.subarray(b * LK * D, (b + 1) * LK * D), LK, w.wk, w.bk);
    const V = proj(v.subarray(b * LK * D, (b + 1) * LK * D), LK, w.wv, w.bv);
    const concat = new Float64Array(LQ * D);
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < LQ; i++) {
        const scores: number[] = [];
        for (let j = 0; j < LK; j++) {
          let s = 0;
          for (let c = 0; c < dh; c++) s += Q[i * D + h * dh + c] * K[j * D + h * dh + c];
          scores.push(s / Math.sqrt(dh));
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, x) => a + x, 0);
        for (let j = 0; j < LK; j++) {
          const a = e[j] / z;
          attention[((b * H + h) * LQ + i) * LK + j] = a;
          for (let c = 0; c < dh; c++) concat[i * D + h * dh + c] += a * V[j * D + h * dh + c];
        }
      }
    }
    output.push(...proj(Float32Array.from(concat), LQ, w.wo, w.bo));
  }
  return { output, attention };
}

test('multi-head attention equals a naive per-head loop (output and attention weights)', async () => {
  await initEngine();
  const random = mulberry32(3);
  const q = randomArray(random, B * LQ * D), k = randomArray(random, B * LK * D), v = randomArray(random, B * LK * D);
  const raw: Record<string, Float32Array> = {};
  for (const name of ['wq', 'wk', 'wv', 'wo']) raw[name] = randomArray(random, D * D);
  for (const name of ['bq', 'bk', 'bv', 'bo']) raw[name] = randomArray(random, D);
  const want = naiveAttention(q, k, v, raw);
  const [output, attention] = tf.tidy(() => {
    const w = Object.fromEntries(Object.entries(raw).map(([n, a]) => [n, n.startsWith('w') ? tf.tensor2d(a, [D, D]) : tf.tensor1d(a)])) as unknown as AttentionWeights;
    const r = multiHeadAttention(tf.tensor3d(q, [B, LQ, D]), tf.tensor3d(k, [B, LK, D]), tf.tensor3d(v, [B, LK, D]), w, H);
    assert.deepEqual(r.output.shape, [B, LQ, D]);
    assert.deepEqual(r.attention.shape, [B, H, LQ, LK]);
    return [r.output.dataSync(), r.attention.dataSync()];
  });
  want.output.forEach((x, i) => assert.ok(Math.abs(output[i] - x) < 1e-4, `output[${i}] ${output[i]} vs ${x}`));
  want.attention.forEach((x, i) => assert.ok(Math.abs(attention[i] - x) < 1e-5, `attention[${i}] ${attention[i]} vs ${x}`));
});

test('gradients flow through attention and layer norm on the engine: a weight derivative against central differences', async () => {
  await initEngine();
  const random = mulberry32(8);
  const q = tf.tensor3d(randomArray(random, B * LQ * D), [B, LQ, D]);
  const kv = tf.tensor3d(randomArray(random, B * LK * D), [B, LK, D]);
  const raw: Record<string, Float32Array> = {};
  for (const name of ['wq', 'wk', 'wv', 'wo']) raw[name] = randomArray(random, D * D);
  for (const name of ['bq', 'bk', 'bv', 'bo']) raw[name] = randomArray(random, D);
  const probe = randomArray(random, B * LQ * D);
  const gamma = tf.tensor1d(randomArray(random, D)), beta = tf.tensor1d(randomArray(random, D));
  // f(wq) = Σ probe · LayerNorm(attention(q, kv, kv))
  const f = (wq: tf.Tensor): tf.Scalar => {
    const w = Object.fromEntries(Object.entries(raw).map(([n, a]) => [n, n === 'wq' ? wq : n.startsWith('w') ? tf.tensor2d(a, [D, D]) : tf.tensor1d(a)])) as unknown as AttentionWeights;
    return tf.sum(tf.mul(layerNorm(multiHeadAttention(q, kv, kv, w, H).output, gamma, beta), tf.tensor3d(probe, [B, LQ, D]))) as tf.Scalar;
  };
  const grad = tf.tidy(() => tf.grad(f)(tf.tensor2d(raw.wq, [D, D])).dataSync());
  const h = 1e-2;
  for (const index of [0, 9, 27, 63]) {
    const shifted = (delta: number) => tf.tidy(() => {
      const w = raw.wq.slice();
      w[index] += delta;
      return f(tf.tensor2d(w, [D, D])).dataSync()[0];
    });
    const numeric = (shifted(h) - shifted(-h)) / (2 * h);
    assert.ok(Math.abs(grad[index] - numeric) < 2e-2 * Math.max(1, Math.abs(numeric)), `d/dwq[${index}]: ${grad[index]} vs ${numeric}`);
  }
  assert.ok(grad.some((g) => Math.abs(g) > 1e-4), 'a non-zero gradient');
  tf.dispose([q, kv, gamma, beta]);
});
