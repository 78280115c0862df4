import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './heap-backend.js';
import { splitLastAxis } from './kernels-heap.js';
import type { PackKernel } from './pack-kernel.js';

type TensorInfo = tf.TensorInfo;

/**
 * `SplitV` along the last axis of a float32 tensor (the gradient of U-Net's channel concat) in one pass
 * over the heap (`splitLastAxis`); upstream slices each part with its generic `Slice`, ~10× slower.
 * Other axes and dtypes go to upstream.
 */
function makeSplitV(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    const rank = x.shape.length;
    const along = tf.util.parseAxisParam(axis, x.shape)[0];
    if (x.dtype !== 'float32' || along !== rank - 1) return upstream.kernelFunc(args);
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, along);
    return splitLastAxis(args.backend as HeapBackend, x, sizes);
  };
}

/** `SplitV` along the last axis: {@link makeSplitV}. */
export const splitVKernel: PackKernel = { kernelName: 'SplitV', wrap: makeSplitV };
