import * as tf from '@tensorflow/tfjs';
import { directFilterGradient, directFilterGradientApplies } from './filter-gradient.js';
import type { HeapBackend } from './heap-backend.js';
import { patchesAsColumns, swapOuterAndInner, swapOuterPair } from './kernels-heap.js';
import { convExplicit, convInfoOf, isPatchify } from './conv-explicit.js';
import { free, reshape, run, type Attrs, type Backend, type PackKernel } from './pack-kernel.js';

type TensorInfo = tf.TensorInfo;

/** [N, H, W, C] → [C, H, W, N] (one pass over the heap; the wasm Transpose of this permutation is ~2.5× slower). */
function swapBatchAndChannels(backend: Backend, x: TensorInfo): TensorInfo {
  const [n, h, w, c] = x.shape;
  return swapOuterAndInner(backend as HeapBackend, x, n, h * w, c, [c, h, w, n]);
}

/**
 * Filter gradient of a 2-D convolution.
 * x: [N, H, W, Ci], dy: [N, Ho, Wo, Co] → dW: [fh, fw, Ci, Co] with
 * dW[a, b, ci, co] = Σ_{n,i,j} x[n, i·sh + a − padTop, j·sw + b − padLeft, ci] · dy[n, i, j, co].
 */
export function conv2DBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as Attrs;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = convInfoOf(x.shape, filterShape, attrs);
  const [fh, fw, ci, co] = filterShape;
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;

  // the direct SIMD kernels (filter-gradient.ts): no packing, no layout change, on the engine's threads
  if (directFilterGradientApplies(info)) {
    const direct = directFilterGradient(backend as HeapBackend, x, dy, info);
    if (direct) return direct;
  }

  if (isPatchify(info)) {
    // x [N, H, W, Ci] → patches as columns [sh·sw·Ci, N·Ho·Wo] (the wasm matmul is fast without a transposed operand)
    const xmt = patchesAsColumns(backend as HeapBackend, x, sh, sw);
    const dym = reshape(backend, dy, [1, n * ho * wo, co]);
    // [sh·sw·Ci, N·Ho·Wo] × [N·Ho·Wo, Co]
    const dw = run('BatchMatMul', backend, { a: xmt, b: dym }, { transposeA: false, transposeB: false });
    const out = reshape(backend, dw, [fh, fw, ci, co]);
    free(backend, dym, xmt, dw);
    return out;
  }

  // XNNPACK packs the filter operand when it creates the operator (~7 ns per value, one thread): with
  // fewer input than output channels x is the smaller operand to pack (measured 4–16 % faster on the
  // U-Net's encoder layers 1→16 … 64→128, equal at Ci = Co)
  if (sh === 1 && sw === 1 && ci < co) return filterGradientPackingInput(backend, x, dy, info);

  // Batch ↔ channels: x [N, H, W, Ci] → [Ci, H, W, N]; dy [N, Ho, Wo, Co] → [Ho, Wo, N, Co] (a filter)
  const xs = swapBatchAndChannels(backend, x);
  const dyf = swapOuterPair(backend as HeapBackend, dy, n, ho * wo, co, [ho, wo, n, co]); // [Ho, Wo, N, Co]
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // padding after such that the output is exactly fh × fw: H + pt + pb − (Ho − 1)·sh = fh
  const pb = fh + (ho - 1) * sh - h - pt;
  const pr = fw + (wo - 1) * sw - w - pl;
  const g = convExplicit(backend, xs, dyf, [pt, pb, pl, pr], [sh, sw]); // [Ci, fh, fw, Co]
  const out = swapOuterPair(backend as HeapBackend, g, ci, fh * fw, co, [fh, fw, ci, co]); // [fh, fw, Ci, Co]
  free(backend, xs, dyf, g);
  return out;
}

/**
 * Stride-1 filter gradient with x as the filter (packed by XNNPACK) and dy, batch and channels swapped,
 * as the input. x: [N, H, W, Ci], dy: [N, Ho, Wo, Co] → dW: [fh, fw, Ci, Co], through
 * out[co, y, x', ci] = Σ_{p,q,n} dyPad[co, y + p, x' + q, n] · x[n, p, q, ci] with dy padded by fh − 1 − padTop
 * on top (fw − 1 − padLeft on the left), and dW[a, b, ci, co] = out[co, fh − 1 − a, fw − 1 − b, ci].
 */
function filterGradientPackingInput(backend: Backend, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  const heap = backend as HeapBackend;
  const dys = swapOuterAndInner(heap, dy, n, ho * wo, co, [co, ho, wo, n]); // [Co, Ho, Wo, N]
  const xf = swapOuterPair(heap, x, n, h * w, ci, [h, w, n, ci]); // [H, W, N, Ci]
  const pt = fh - 1 - info.padInfo.top;
  const pl = fw - 1 - info.padInfo.left;
  const g = convExplicit(backend, dys, xf, [pt, h - ho + info.padInfo.top, pl, w - wo + info.padInfo.left], [1, 1]); // [Co, fh, fw, Ci]
  const out = heap.makeOutput([fh, fw, ci, co], 'float32');
  const src = heap.typedArrayFromHeap(g); // [Co, fh, fw, Ci]
  const dst = heap.typedArrayFromHeap(out); // [fh, fw, Ci, Co]
  for (let o = 0; o < co; o++) {
    for (let a = 0; a < fh; a++) {
      for (let b = 0; b < fw; b++) {
        const from = ((o * fh + (fh - 1 - a)) * fw + (fw - 1 - b)) * ci;
        const to = (a * fw + b) * ci * co + o;
        for (let i = 0; i < ci; i++) dst[to + i * co] = src[from + i];
      }
    }
  }
  free(backend, dys, xf, g);
  return out;
}

/** `Conv2DBackpropFilter` (absent upstream): {@link conv2DBackpropFilterWasm}. */
export const conv2DBackpropFilterKernel: PackKernel = { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc };
