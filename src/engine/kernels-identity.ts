import * as tf from '@tensorflow/tfjs';
import { type Backend, type PackKernel } from './pack-kernel.js';

type TensorInfo = tf.TensorInfo;

/**
 * Identity without a copy: the output shares the input's buffer (reference-counted, as `Reshape` does
 * and as the cpu backend's `Identity` does). TF.js tensors are immutable — `Variable.assign` swaps in a
 * new buffer — so sharing is safe; upstream wasm copies, and the engine clones every tensor it saves for
 * the backward pass through this kernel (about a hundred copies per U-Net training step).
 */
export function identityWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend }): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') throw new Error('detseg kernels: Identity of string tensors is not supported on wasm');
  (args.backend as Backend & { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** `Identity` (upstream copies): {@link identityWasm}. */
export const identityKernel: PackKernel = { kernelName: 'Identity', kernelFunc: identityWasm as unknown as tf.KernelFunc };
