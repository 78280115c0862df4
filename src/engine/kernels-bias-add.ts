import * as tf from '@tensorflow/tfjs';
import { heapBiasAdd } from './bias-add.js';
import type { HeapBackend } from './heap-backend.js';
import type { PackKernel } from './pack-kernel.js';

type TensorInfo = tf.TensorInfo;

/**
 * `Add` of a float32 x [..., C] and a bias b [C] (either order; b may carry leading 1s) by the SIMD
 * kernel of `bias-add.ts`, bit for bit upstream's sums; upstream's broadcasting loop is ~9× slower on
 * this shape (every conv's bias add). Every other case goes to upstream.
 */
function makeBiasAdd(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as HeapBackend;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const size = (t: TensorInfo) => t.shape.reduce((p, q) => p * q, 1);
    const [big, small] = size(a) >= size(b) ? [a, b] : [b, a];
    const c = big.shape[big.shape.length - 1];
    const isBias = small.shape.length >= 1 && small.shape.length <= big.shape.length && small.shape[small.shape.length - 1] === c && size(small) === c;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !isBias || size(big) === c || c === 0) return upstream.kernelFunc(args);
    const add = heapBiasAdd(backend);
    if (!add) return upstream.kernelFunc(args);
    const out = backend.makeOutput([...big.shape], 'float32');
    // addresses after the allocation (it may grow the heap)
    add(backend.typedArrayFromHeap(big).byteOffset, backend.typedArrayFromHeap(small).byteOffset, backend.typedArrayFromHeap(out).byteOffset, size(big) / c, 4 * c);
    return out;
  };
}

/** `Add` with the bias fast path: {@link makeBiasAdd}. */
export const biasAddKernel: PackKernel = { kernelName: 'Add', wrap: makeBiasAdd };
