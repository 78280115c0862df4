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
 * `BatchMatMul` with `transposeA` / `transposeB` as an explicit transpose of that operand followed by
 * upstream's kernel without transposes. Upstream's wasm kernel reaches XNNPACK's fast GEMM only for
 * untransposed operands; with a transposed one it runs a scalar loop about 12× slower (measured on
 * [256, 3136] × [3136, 128]: 84 ms against 7 ms). Every gradient of a dense layer takes one transposed
 * product (dx = dy·Wᵀ, dW = xᵀ·dy), so this kernel is what makes the detectors' fully connected heads
 * train at GEMM speed. Non-float32 inputs go to upstream unchanged.
 */
export function makeTransposeFreeBatchMatMul(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as HeapBackend;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!(attrs.transposeA || attrs.transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') return upstream.kernelFunc(args);
    const left = attrs.transposeA ? transposeLastTwo(backend, a) : a; // [..., M, K]
    const right = attrs.transposeB ? transposeLastTwo(backend, b) : b; // [..., K, N]
    try {
      return upstream.kernelFunc({ ...args, inputs: { a: left, b: right }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as TensorInfo; // [..., M, N]
    } finally {
      if (left !== a) backend.disposeData(left.dataId);
      if (right !== b) backend.disposeData(right.dataId);
    }
  };
}

/** `BatchMatMul` without a transposed operand: {@link makeTransposeFreeBatchMatMul}. */
export const batchMatMulKernel: PackKernel = { kernelName: 'BatchMatMul', wrap: makeTransposeFreeBatchMatMul };
