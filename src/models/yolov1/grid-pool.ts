import * as tf from '@tensorflow/tfjs';
import type { GraphTensor, NetworkGraph } from '../detection/network-graph.js';

/**
 * The area-overlap weights of average-pooling `n` input cells into `s` output cells along one axis:
 * `Float32Array [s, n]`, row i holding the fraction of output cell i's extent [i·n/s, (i+1)·n/s) that
 * input cell r ∈ [r, r+1) covers (each row sums to 1). With n a multiple of s this is plain average
 * pooling with window n/s; otherwise the boundary cells are shared in proportion to their overlap.
 */
export function gridPoolWeights(n: number, s: number): Float32Array {
  const out = new Float32Array(s * n); // [s, n]
  const step = n / s;
  for (let i = 0; i < s; i++) {
    const lo = i * step, hi = (i + 1) * step;
    for (let r = Math.floor(lo); r < Math.min(n, Math.ceil(hi)); r++) out[i * n + r] = (Math.min(hi, r + 1) - Math.max(lo, r)) / step;
  }
  return out;
}

/**
 * The matrix of {@link gridPool}: `Float32Array [S·S, h·w]`, row i·S + j the weights of the h × w cells
 * in grid cell (i, j) (the outer product of the two axes' {@link gridPoolWeights}).
 */
export function gridPoolMatrix(h: number, w: number, s: number): Float32Array {
  const rows = gridPoolWeights(h, s), cols = gridPoolWeights(w, s);
  const weights = new Float32Array(s * s * h * w);
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) for (let r = 0; r < h; r++) {
    const wr = rows[i * h + r];
    if (wr === 0) continue;
    for (let q = 0; q < w; q++) weights[(i * s + j) * h * w + r * w + q] = wr * cols[j * w + q];
  }
  return weights;
}

/**
 * Adaptive average pooling of a feature map onto an S×S grid (PyTorch's `AdaptiveAvgPool2d` with
 * area-weighted boundaries), as one matrix product so that it differentiates on every tfjs backend:
 * `features [B, h, w, C]` → `[B, S, S, C]`, output cell (i, j) the mean of the features over the image
 * region of grid cell (i, j).
 */
export function gridPool(features: tf.Tensor4D, s: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = features.shape;
    if (h === s && w === s) return features.clone();
    const weights = gridPoolMatrix(h, w, s);
    const flat = features.reshape([b, h * w, c]).transpose([1, 0, 2]).reshape([h * w, b * c]); // [h·w, B·C]
    const pooled = tf.matMul(tf.tensor2d(weights, [s * s, h * w]), flat); // [S·S, B·C]
    return pooled.reshape([s * s, b, c]).transpose([1, 0, 2]).reshape([b, s, s, c]) as tf.Tensor4D;
  });
}

/**
 * {@link gridPool} in a {@link NetworkGraph}: `features [B, h, w, C]` (h, w fixed) → `[B, S, S, C]`, the
 * same matrix product (`[S·S, h·w] · [B, h·w, C]`).
 */
export function gridPoolGraph(net: NetworkGraph, features: GraphTensor, h: number, w: number, s: number, channels: number): GraphTensor {
  if (h === s && w === s) return features;
  const flat = net.reshape(features, [0, h * w, channels]); // [B, h·w, C]
  const pooled = net.matMul(net.constant('grid_pool', gridPoolMatrix(h, w, s), [s * s, h * w]), flat); // [B, S·S, C]
  return net.reshape(pooled, [0, s, s, channels]);
}
