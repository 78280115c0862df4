import * as tf from '@tensorflow/tfjs';
import { heapRowCopier } from './copy-rows.js';
import type { HeapBackend } from './heap-backend.js';

/**
 * Layout changes of the kernel pack as plain TypeScript loops over the wasm heap. The wasm backend's
 * `Transpose`, `Slice` and `Reverse` walk every element through generic index arithmetic: these loops,
 * specialised to the permutations the conv gradients need, are 1.5–3× faster (`Slice` along the last
 * axis more than 10×). Every function allocates its output with the backend, so results are ordinary
 * tensors of the 'wasm' backend.
 */

type TensorInfo = tf.TensorInfo;

/**
 * [A, B, C] → [C, B, A] for a float32 tensor whose elements are read as that 3-D shape (for the filter
 * gradient: x [N, H·W, Ci] → [Ci, H·W, N], batch and channels swapped). `outShape` is the shape given
 * to the result (its size must be A·B·C).
 */
export function swapOuterAndInner(backend: HeapBackend, x: TensorInfo, a: number, b: number, c: number, outShape: number[]): TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  const src = backend.typedArrayFromHeap(x); // [A, B, C]
  const dst = backend.typedArrayFromHeap(out); // [C, B, A]
  const srcStrideA = b * c;
  const dstStrideC = b * a;
  // loop over B outermost: reads A rows of C contiguous values, writes C runs of A contiguous values
  for (let j = 0; j < b; j++) {
    for (let k = 0; k < c; k++) {
      let o = k * dstStrideC + j * a;
      for (let i = 0, at = j * c + k; i < a; i++, at += srcStrideA) dst[o++] = src[at];
    }
  }
  return out;
}

/**
 * [G, A, B, C] → [G, B, A, C] for a float32 tensor read as that 4-D shape, i.e. the middle pair swapped
 * in each of G blocks (for the filter gradient: dy [1, N, Ho·Wo, Co] → [Ho·Wo, N, Co], the output
 * gradient laid out as a filter; for the 2×2/2 transposed conv: [N·Ho, Wo, 2, 2·Ci] → [N·Ho, 2, Wo, 2·Ci]).
 */
export function swapOuterPair(backend: HeapBackend, x: TensorInfo, a: number, b: number, c: number, outShape: number[], groups = 1): TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  const src = backend.typedArrayFromHeap(x); // [G, A, B, C]
  const dst = backend.typedArrayFromHeap(out); // [G, B, A, C]
  const block = a * b * c;
  const copy = heapRowCopier(backend);
  if (copy && a > 1) {
    // per (g, j): the A rows of C values from stride B·C to stride C, by the SIMD row copies
    for (let g = 0; g < groups; g++) {
      for (let j = 0; j < b; j++) copy(src.byteOffset + 4 * (g * block + j * c), 4 * b * c, dst.byteOffset + 4 * (g * block + j * a * c), 4 * c, a, 4 * c);
    }
    return out;
  }
  for (let g = 0; g < groups; g++) {
    const base = g * block;
    for (let j = 0; j < b; j++) {
      for (let i = 0; i < a; i++) {
        const from = base + (i * b + j) * c;
        const to = base + (j * a + i) * c;
        for (let k = 0; k < c; k++) dst[to + k] = src[from + k];
      }
    }
  }
  return out;
}

/**
 * The non-overlapping patches of x as columns: x [N, H, W, C] with patches sh × sw (H = Ho·sh,
 * W = Wo·sw) → [sh·sw·C, N·Ho·Wo] with out[(a·sw + b)·C + c, (n·Ho + i)·Wo + j] = x[n, i·sh + a, j·sw + b, c]
 * (the left operand of the filter gradient of a kernel = stride convolution).
 */
export function patchesAsColumns(backend: HeapBackend, x: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, h, w, c] = x.shape;
  const ho = h / sh;
  const wo = w / sw;
  const cols = n * ho * wo;
  const out = backend.makeOutput([1, sh * sw * c, cols], 'float32');
  const src = backend.typedArrayFromHeap(x); // [N, H, W, C]
  const dst = backend.typedArrayFromHeap(out); // [sh·sw·C, N·Ho·Wo]
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const i = (y / sh) | 0;
      const a = y - i * sh;
      for (let xCol = 0; xCol < w; xCol++) {
        const j = (xCol / sw) | 0;
        const e = xCol - j * sw;
        const col = (b * ho + i) * wo + j;
        const rowBase = (a * sw + e) * c;
        const from = ((b * h + y) * w + xCol) * c;
        for (let k = 0; k < c; k++) dst[(rowBase + k) * cols + col] = src[from + k];
      }
    }
  }
  return out;
}

/**
 * The filter of the input gradient: W [fh, fw, Ci, Co] → Wf [fh, fw, Co, Ci] with
 * Wf[a, b, co, ci] = W[fh − 1 − a, fw − 1 − b, ci, co] (flipped in space, channels transposed).
 */
export function flipAndTransposeFilter(backend: HeapBackend, filter: TensorInfo): TensorInfo {
  const [fh, fw, ci, co] = filter.shape;
  const out = backend.makeOutput([fh, fw, co, ci], 'float32');
  const src = backend.typedArrayFromHeap(filter); // [fh, fw, Ci, Co]
  const dst = backend.typedArrayFromHeap(out); // [fh, fw, Co, Ci]
  for (let a = 0; a < fh; a++) {
    for (let b = 0; b < fw; b++) {
      const from = ((fh - 1 - a) * fw + (fw - 1 - b)) * ci * co;
      const to = (a * fw + b) * co * ci;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) dst[to + o * ci + i] = src[from + i * co + o];
      }
    }
  }
  return out;
}

/**
 * `SplitV` of a float32 tensor along its last axis (the gradient of a channel concat: U-Net's skip
 * connections) with one pass over the input: x [..., C] → [..., c₀], [..., c₁], … with Σ cᵢ = C
 * (the SIMD row copies of `copy-rows.ts`; a JS loop where they cannot be built).
 */
export function splitLastAxis(backend: HeapBackend, x: TensorInfo, sizes: number[]): TensorInfo[] {
  const c = x.shape[x.shape.length - 1];
  const rows = x.shape.slice(0, -1).reduce((p, q) => p * q, 1);
  const outs = sizes.map((size) => backend.makeOutput([...x.shape.slice(0, -1), size], 'float32'));
  const src = backend.typedArrayFromHeap(x); // [rows, C]
  const dsts = outs.map((o) => backend.typedArrayFromHeap(o)); // [rows, cᵢ]
  const copy = heapRowCopier(backend);
  let begin = 0;
  for (let part = 0; part < sizes.length; part++) {
    const size = sizes[part];
    const dst = dsts[part];
    if (copy) copy(src.byteOffset + 4 * begin, 4 * c, dst.byteOffset, 4 * size, rows, 4 * size);
    else for (let r = 0, from = begin, to = 0; r < rows; r++, from += c, to += size) for (let k = 0; k < size; k++) dst[to + k] = src[from + k];
    begin += size;
  }
  return outs;
}

/**
 * `Concat` of float32 tensors along their last axis (U-Net's skip connections) with one pass over the
 * output: [..., c₀], [..., c₁], … → [..., Σ cᵢ] (the SIMD row copies of `copy-rows.ts`; a JS loop where they
 * cannot be built).
 */
export function concatLastAxis(backend: HeapBackend, xs: TensorInfo[]): TensorInfo {
  const sizes = xs.map((t) => t.shape[t.shape.length - 1]);
  const c = sizes.reduce((p, q) => p + q, 0);
  const lead = xs[0].shape.slice(0, -1);
  const rows = lead.reduce((p, q) => p * q, 1);
  const out = backend.makeOutput([...lead, c], 'float32');
  const srcs = xs.map((t) => backend.typedArrayFromHeap(t)); // [rows, cᵢ]
  const dst = backend.typedArrayFromHeap(out); // [rows, C]
  const copy = heapRowCopier(backend);
  let begin = 0;
  for (let part = 0; part < xs.length; part++) {
    const size = sizes[part];
    const src = srcs[part];
    if (copy) copy(src.byteOffset, 4 * size, dst.byteOffset + 4 * begin, 4 * c, rows, 4 * size);
    else for (let r = 0, to = begin, from = 0; r < rows; r++, to += c, from += size) for (let k = 0; k < size; k++) dst[to + k] = src[from + k];
    begin += size;
  }
  return out;
}
