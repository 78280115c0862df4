import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './heap-backend.js';
import { free, reshape, run, type PackKernel } from './pack-kernel.js';

type TensorInfo = tf.TensorInfo;

/**
 * `Sum` over the leading axes of a float32 tensor (the bias gradient of a conv: Σ over B, H, W of
 * dy [B, H, W, C]) as XNNPACK's average pooling over the whole tensor, read as an image
 * x [1, M / L, L, C] (L the last summed dimension) with one window, times M. Upstream first transposes
 * the reduced axes to the end (~15× slower); a loop over the heap is ~10× slower, and a 1×1 convolution
 * with a row of ones repacks x as a filter on every call. Every other case goes to upstream's kernel.
 */
function makeLeadingSum(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as HeapBackend;
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const k = axes.length;
    const leading = k >= 1 && k < rank && axes.every((a, i) => a === i);
    const m = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    if (x.dtype !== 'float32' || !leading || m === 0) return upstream.kernelFunc(args);
    const c = x.shape.slice(k).reduce((a, b) => a * b, 1);
    const last = x.shape[k - 1];
    const image = reshape(backend, x, [1, m / last, last, c]); // [1, M / L, L, C]
    const mean = run('AvgPool', backend, { x: image }, { filterSize: [m / last, last], strides: [1, 1], pad: 'valid', dimRoundingMode: undefined }); // [1, 1, 1, C]
    const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...x.shape.slice(k)] : x.shape.slice(k);
    const out = backend.makeOutput(outShape, 'float32');
    // views after the allocation (it may grow the heap and detach earlier views)
    const means = backend.typedArrayFromHeap(mean);
    const sums = backend.typedArrayFromHeap(out);
    for (let j = 0; j < c; j++) sums[j] = means[j] * m;
    free(backend, image, mean);
    return out;
  };
}

/** `Sum` with the leading-axes fast path: {@link makeLeadingSum}. */
export const leadingSumKernel: PackKernel = { kernelName: 'Sum', wrap: makeLeadingSum };
