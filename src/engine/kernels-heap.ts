import * as tf from '@tensorflow/tfjs';

/**
 * Layout changes of the kernel pack as plain TypeScript loops over the wasm heap. The wasm backend's
 * `Transpose`, `Slice` and `Reverse` walk every element through generic index arithmetic: these loops,
 * specialised to the permutations the conv gradients need, are 1.5–3× faster (`Slice` along the last
 * axis more than 10×). Every function allocates its output with the backend, so results are ordinary
 * tensors of the 'wasm' backend.
 */

type TensorInfo = tf.TensorInfo;

/** The public heap access of tfjs-backend-wasm's `BackendWasm`. */
export type HeapBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
};

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
 * [A, B, C] → [B, A, C] for a float32 tensor read as that 3-D shape (for the filter gradient: dy
 * [N, Ho·Wo, Co] → [Ho·Wo, N, Co], the output gradient laid out as a filter).
 */
export function swapOuterPair(backend: HeapBackend, x: TensorInfo, a: number, b: number, c: number, outShape: number[]): TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  const src = backend.typedArrayFromHeap(x); // [A, B, C]
  const dst = backend.typedArrayFromHeap(out); // [B, A, C]
  for (let j = 0; j < b; j++) {
    for (let i = 0; i < a; i++) {
      const from = (i * b + j) * c;
      const to = (j * a + i) * c;
      for (let k = 0; k < c; k++) dst[to + k] = src[from + k];
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
 * connections) with one pass over the input: x [..., C] → [..., c₀], [..., c₁], … with Σ cᵢ = C.
 */
export function splitLastAxis(backend: HeapBackend, x: TensorInfo, sizes: number[]): TensorInfo[] {
  const c = x.shape[x.shape.length - 1];
  const rows = x.shape.slice(0, -1).reduce((p, q) => p * q, 1);
  const outs = sizes.map((size) => backend.makeOutput([...x.shape.slice(0, -1), size], 'float32'));
  const src = backend.typedArrayFromHeap(x); // [rows, C]
  const dsts = outs.map((o) => backend.typedArrayFromHeap(o)); // [rows, cᵢ]
  let begin = 0;
  for (let part = 0; part < sizes.length; part++) {
    const size = sizes[part];
    const dst = dsts[part];
    for (let r = 0, from = begin, to = 0; r < rows; r++, from += c, to += size) {
      for (let k = 0; k < size; k++) dst[to + k] = src[from + k];
    }
    begin += size;
  }
  return outs;
}
