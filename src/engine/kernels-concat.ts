import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './heap-backend.js';
import { concatLastAxis } from './kernels-heap.js';
import type { PackKernel } from './pack-kernel.js';

type TensorInfo = tf.TensorInfo;

/**
 * `Concat` along the last axis of float32 tensors (U-Net's skip connections) in one pass over the heap
 * (`concatLastAxis`); upstream copies a subarray per row and input. Other cases go to upstream.
 */
function makeConcat(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const xs = args.inputs as unknown as TensorInfo[];
    const rank = xs[0].shape.length;
    const along = tf.util.parseAxisParam((args.attrs as { axis: number }).axis, xs[0].shape)[0];
    const sameLead = xs.every((t) => t.shape.length === rank && t.shape.slice(0, -1).every((d, i) => d === xs[0].shape[i]));
    if (xs.length < 2 || along !== rank - 1 || !sameLead || xs.some((t) => t.dtype !== 'float32')) return upstream.kernelFunc(args);
    return concatLastAxis(args.backend as HeapBackend, xs);
  };
}

/** `Concat` along the last axis: {@link makeConcat}. */
export const concatKernel: PackKernel = { kernelName: 'Concat', wrap: makeConcat };
