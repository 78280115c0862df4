import * as tf from '@tensorflow/tfjs';
import type { GraphTensor, NetworkGraph } from '../detection/network-graph.js';
import { linear } from './linear.js';

/** The weights of one multi-head attention: projections `[d, d]` (in × out) and biases `[d]`. */
export interface AttentionWeights {
  wq: tf.Tensor2D;
  bq: tf.Tensor1D;
  wk: tf.Tensor2D;
  bk: tf.Tensor1D;
  wv: tf.Tensor2D;
  bv: tf.Tensor1D;
  wo: tf.Tensor2D;
  bo: tf.Tensor1D;
}

/** `[B, L, h·dh]` → `[B·h, L, dh]`, one slice per (image, head). */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor3D {
  const [batch, length, d] = x.shape;
  const t = tf.transpose(tf.reshape(x, [batch, length, heads, d / heads]), [0, 2, 1, 3]); // [B, h, L, dh]
  return tf.reshape(t, [batch * heads, length, d / heads]);
}

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017) from differentiable tfjs ops:
 *
 *     Q = q·Wq + bq,  K = k·Wk + bk,  V = v·Wv + bv,  split into `heads` slices of d / heads channels,
 *     head_i = softmax(Q_i K_iᵀ / √(d/heads)) V_i,  out = concat(head_1..head_h)·Wo + bo.
 *
 * `query: [B, Lq, d]`, `key` and `value: [B, Lk, d]` → `output: [B, Lq, d]` and the attention weights
 * `attention: [B, heads, Lq, Lk]` (each row sums to 1). `d` must be divisible by `heads`.
 */
export function multiHeadAttention(query: tf.Tensor3D, key: tf.Tensor3D, value: tf.Tensor3D, w: AttentionWeights, heads: number): { output: tf.Tensor3D; attention: tf.Tensor4D } {
  const [batch, lq, d] = query.shape;
  const lk = key.shape[1];
  if (d % heads !== 0) throw new RangeError(`multiHeadAttention: d = ${d} is not divisible by heads = ${heads}`);
  const dh = d / heads;
  const q = splitHeads(linear(query, w.wq, w.bq), heads); // [B·h, Lq, dh]
  const k = splitHeads(linear(key, w.wk, w.bk), heads); // [B·h, Lk, dh]
  const v = splitHeads(linear(value, w.wv, w.bv), heads); // [B·h, Lk, dh]
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)); // [B·h, Lq, Lk]
  const attention = tf.softmax(scores); // over the keys
  const heads3 = tf.matMul(attention, v); // [B·h, Lq, dh]
  const merged = tf.reshape(tf.transpose(tf.reshape(heads3, [batch, heads, lq, dh]), [0, 2, 1, 3]), [batch, lq, d]); // [B, Lq, d]
  const output = linear(merged, w.wo, w.bo) as tf.Tensor3D;
  return { output, attention: tf.reshape(attention, [batch, heads, lq, lk]) };
}

/** The weights of {@link multiHeadAttentionGraph}: those of {@link AttentionWeights} as graph values. */
export type AttentionGraphWeights = Record<keyof AttentionWeights, GraphTensor>;

/**
 * {@link multiHeadAttention}'s output in a {@link NetworkGraph}: `query [B, Lq, d]`, `key`, `value
 * [B, Lk, d]` → `[B, Lq, d]`. The heads stay an axis of their own (`[B, heads, L, d / heads]`), and a
 * batch of 1 broadcasts against B (DETR's object queries are the same for every image).
 */
export function multiHeadAttentionGraph(net: NetworkGraph, query: GraphTensor, key: GraphTensor, value: GraphTensor, w: AttentionGraphWeights, heads: number, d: number): GraphTensor {
  if (d % heads !== 0) throw new RangeError(`multiHeadAttentionGraph: d = ${d} is not divisible by heads = ${heads}`);
  const dh = d / heads;
  const project = (x: GraphTensor, weight: GraphTensor, bias: GraphTensor) => net.add(net.matMul(x, weight), bias);
  const heads4 = (x: GraphTensor, perm: number[]) => net.transpose(net.reshape(x, [0, 0, heads, dh]), perm);
  const q = heads4(project(query, w.wq, w.bq), [0, 2, 1, 3]); // [B, h, Lq, dh]
  const kT = heads4(project(key, w.wk, w.bk), [0, 2, 3, 1]); // [B, h, dh, Lk]
  const v = heads4(project(value, w.wv, w.bv), [0, 2, 1, 3]); // [B, h, Lk, dh]
  const scores = net.mul(net.matMul(q, kT), net.constant('attention_scale', [1 / Math.sqrt(dh)], [])); // [B, h, Lq, Lk]
  const attended = net.matMul(net.softmax(scores, -1), v); // [B, h, Lq, dh]
  const merged = net.reshape(net.transpose(attended, [0, 2, 1, 3]), [0, 0, d]); // [B, Lq, d]
  return project(merged, w.wo, w.bo);
}
