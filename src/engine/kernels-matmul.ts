import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './heap-backend.js';
import { swapOuterAndInner } from './kernels-heap.js';
import type { PackKernel } from './pack-kernel.js';

type TensorInfo = tf.TensorInfo;

/**
 * `[..., R, C]` → `[..., C, R]`: one pass over the wasm heap when there is a single matrix, the wasm
 * `Transpose` kernel otherwise.
 */
function transposeLastTwo(backend: HeapBackend, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const rows = x.shape[rank - 2];
  const cols = x.shape[rank - 1];
  const lead = x.shape.slice(0, rank - 2);
  const outShape = [...lead, cols, rows];
  if (lead.every((d) => d === 1)) return swapOuterAndInner(backend, x, rows, 1, cols, outShape); // [R, 1, C] → [C, 1, R]
  const perm = [...lead.map((_, i) => i), rank - 1, rank - 2];
  const kernel = tf.getKernel('Transpose', 'wasm');
  if (!kernel) throw new Error('detseg kernels: wasm kernel Transpose is not registered');
  return kernel.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/**
 * A batch of products `[G, M, K] × [G, K, N]` (or one side of batch 1, shared) as G single-matrix calls
 * of upstream's kernel: upstream reaches XNNPACK's GEMM only for a batch of 1 and runs a scalar loop
 * otherwise, 4–8× slower on attention's shapes (docs/benchmarks.md). Each matrix is copied into a
 * tensor of its own (upstream caches an operator per right-hand tensor and drops it when that tensor
 * is disposed), and each result is copied into the output `[G, M, N]`.
 */
function matMulPerMatrix(upstream: tf.KernelConfig, args: Parameters<tf.KernelFunc>[0], backend: HeapBackend, a: TensorInfo, b: TensorInfo, groups: number, outShape: number[]): TensorInfo {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const sharedA = a.shape.slice(0, -2).every((d) => d === 1);
  const sharedB = b.shape.slice(0, -2).every((d) => d === 1);
  const out = backend.makeOutput(outShape, 'float32');
  const slice = (x: TensorInfo, g: number, rows: number, cols: number): TensorInfo => {
    const part = backend.makeOutput([1, rows, cols], 'float32');
    backend.typedArrayFromHeap(part).set(backend.typedArrayFromHeap(x).subarray(g * rows * cols, (g + 1) * rows * cols));
    return part;
  };
  const left = sharedA ? slice(a, 0, m, k) : undefined;
  const right = sharedB ? slice(b, 0, k, n) : undefined;
  try {
    for (let g = 0; g < groups; g++) {
      const ag = left ?? slice(a, g, m, k); // [1, M, K]
      const bg = right ?? slice(b, g, k, n); // [1, K, N]
      const product = upstream.kernelFunc({ ...args, inputs: { a: ag, b: bg }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as TensorInfo; // [1, M, N]
      // (views re-read after each allocation: a growing heap detaches the old ones)
      backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(product), g * m * n);
      backend.disposeData(product.dataId);
      if (ag !== left) backend.disposeData(ag.dataId);
      if (bg !== right) backend.disposeData(bg.dataId);
    }
  } finally {
    if (left) backend.disposeData(left.dataId);
    if (right) backend.disposeData(right.dataId);
  }
  return out;
}

/**
 * `BatchMatMul` with `transposeA` / `transposeB` as an explicit transpose of that operand followed by
 * upstream's kernel without transposes. Upstream's wasm kernel reaches XNNPACK's fast GEMM only for
 * untransposed operands; with a transposed one it runs a scalar loop about 12× slower (measured on
 * [256, 3136] × [3136, 128]: 84 ms against 7 ms). Every gradient of a dense layer takes one transposed
 * product (dx = dy·Wᵀ, dW = xᵀ·dy), so this kernel is what makes the detectors' fully connected heads
 * train at GEMM speed. Batches of several matrices (attention's per-head products) go one matrix at a
 * time ({@link matMulPerMatrix}). Non-float32 inputs go to upstream unchanged.
 */
export function makeTransposeFreeBatchMatMul(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as HeapBackend;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return upstream.kernelFunc(args);
    const leadA = a.shape.slice(0, -2), leadB = b.shape.slice(0, -2);
    const groupsA = leadA.reduce((p, d) => p * d, 1), groupsB = leadB.reduce((p, d) => p * d, 1);
    const groups = Math.max(groupsA, groupsB);
    const perMatrix = groups > 1 && (groupsA === 1 || groupsB === 1 || leadA.join() === leadB.join());
    if (!(attrs.transposeA || attrs.transposeB || perMatrix)) return upstream.kernelFunc(args);
    const left = attrs.transposeA ? transposeLastTwo(backend, a) : a; // [..., M, K]
    const right = attrs.transposeB ? transposeLastTwo(backend, b) : b; // [..., K, N]
    try {
      if (perMatrix) {
        const lead = groupsA >= groupsB ? leadA : leadB;
        return matMulPerMatrix(upstream, args, backend, left, right, groups, [...lead, left.shape[left.shape.length - 2], right.shape[right.shape.length - 1]]);
      }
      return upstream.kernelFunc({ ...args, inputs: { a: left, b: right }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as TensorInfo; // [..., M, N]
    } finally {
      if (left !== a) backend.disposeData(left.dataId);
      if (right !== b) backend.disposeData(right.dataId);
    }
  };
}

/** `BatchMatMul` without a transposed operand: {@link makeTransposeFreeBatchMatMul}. */
export const batchMatMulKernel: PackKernel = { kernelName: 'BatchMatMul', wrap: makeTransposeFreeBatchMatMul };
