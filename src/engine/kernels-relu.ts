import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './heap-backend.js';
import type { PackKernel } from './pack-kernel.js';
import { heapRelu, RELU_GRAD_KERNEL } from './relu.js';

type TensorInfo = tf.TensorInfo;

/**
 * `Relu` of a float32 tensor by the one-pass SIMD kernel of `relu.ts` on the calling thread (the same
 * values as upstream; upstream spreads it over the thread pool, which costs more than it gives when
 * the other core is busy). Other dtypes go to upstream.
 */
function makeRelu(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as HeapBackend;
    const { x } = args.inputs as { x: TensorInfo };
    const kernels = x.dtype === 'float32' ? heapRelu(backend) : undefined;
    if (!kernels) return upstream.kernelFunc(args);
    const out = backend.makeOutput([...x.shape], 'float32');
    // addresses after the allocation (it may grow the heap)
    kernels.relu(backend.typedArrayFromHeap(x).byteOffset, backend.typedArrayFromHeap(out).byteOffset, tf.util.sizeFromShape(x.shape));
    return out;
  };
}

/** `DetsegReluGrad` (wasm): dx = dy · step(x) for float32 dy and x of one shape, in one pass (`relu.ts`). */
function reluGradWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend }): TensorInfo {
  const backend = args.backend as HeapBackend;
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  const kernels = heapRelu(backend);
  if (!kernels) throw new Error('detseg kernels: the ReLU kernels could not be built');
  const out = backend.makeOutput([...x.shape], 'float32');
  kernels.reluGrad(backend.typedArrayFromHeap(dy).byteOffset, backend.typedArrayFromHeap(x).byteOffset, backend.typedArrayFromHeap(out).byteOffset, tf.util.sizeFromShape(x.shape));
  return out;
}

/**
 * ReLU's gradient for every backend: on 'wasm', with float32 tensors and the ReLU kernels built, the
 * one-pass `DetsegReluGrad`; elsewhere tfjs-core's own `mul(dy, cast(step(x), 'float32'))`. Both give
 * the same values bit for bit (1 where x > 0, 0 elsewhere, NaN where x is NaN, times dy).
 */
const reluGradient: tf.GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const grad = dy as tf.Tensor;
    return {
      x: () => {
        const fused = tf.getBackend() === 'wasm' && grad.dtype === 'float32' && x.dtype === 'float32' && heapRelu(tf.backend() as unknown as HeapBackend) !== undefined;
        return fused ? (tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: grad, x }) as tf.Tensor) : tf.mul(grad, tf.cast(tf.step(x), 'float32'));
      },
    };
  },
};

/** `Relu` by the SIMD kernel ({@link makeRelu}), with ReLU's gradient ({@link reluGradient}). */
export const reluKernel: PackKernel = { kernelName: 'Relu', wrap: makeRelu, gradient: reluGradient };

/** `DetsegReluGrad` (wasm): {@link reluGradWasm}. */
export const reluGradKernel: PackKernel = { kernelName: RELU_GRAD_KERNEL, kernelFunc: reluGradWasm as unknown as tf.KernelFunc };
