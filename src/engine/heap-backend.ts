import type * as tf from '@tensorflow/tfjs';

/** The public heap access of tfjs-backend-wasm's `BackendWasm`. */
export type HeapBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
};
