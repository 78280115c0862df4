import * as tf from '@tensorflow/tfjs';
import { identityWasm } from './kernels-identity.js';
import type { PackKernel } from './pack-kernel.js';

type TensorInfo = tf.TensorInfo;

/**
 * `Cast` to the dtype the tensor already has shares its input's buffer, as {@link identityWasm} does
 * (upstream copies; ReLU's gradient casts its float32 mask to float32 once per ReLU). Real casts go to
 * upstream.
 */
function makeSameTypeCast(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== (args.attrs as { dtype: tf.DataType }).dtype || x.dtype === 'string') return upstream.kernelFunc(args);
    return identityWasm(args as Parameters<typeof identityWasm>[0]);
  };
}

/** `Cast` with the same-dtype fast path: {@link makeSameTypeCast}. */
export const castKernel: PackKernel = { kernelName: 'Cast', wrap: makeSameTypeCast };
