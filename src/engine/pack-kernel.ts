import * as tf from '@tensorflow/tfjs';

/**
 * One kernel of the wasm kernel pack (`kernels.ts` registers them): either a kernel of its own
 * (`kernelFunc`, replacing upstream's if any) or a wrapper of upstream's kernel (`wrap`: fast paths,
 * every other case handed to `upstream`); `gradient`, where given, is registered with it.
 */
export type PackKernel = { kernelName: string; gradient?: tf.GradConfig } & (
  | { kernelFunc: tf.KernelFunc; wrap?: never }
  | { wrap: (upstream: tf.KernelConfig) => tf.KernelFunc; kernelFunc?: never }
);

type TensorInfo = tf.TensorInfo;
/** The wasm backend as the pack's kernels use it. */
export type Backend = tf.KernelBackend & { disposeData(dataId: object): boolean };
/** Attributes of a kernel call. */
export type Attrs = Record<string, unknown>;

/** Runs another registered wasm kernel from inside a kernel. */
export function run(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: Attrs = {}): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`detseg kernels: wasm kernel ${name} is not registered`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
}

/** Frees intermediate results of a kernel. */
export function free(backend: Backend, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/** `Reshape` by the registered wasm kernel. */
export function reshape(backend: Backend, x: TensorInfo, shape: number[]): TensorInfo {
  return run('Reshape', backend, { x }, { shape });
}

/** `Transpose` by the registered wasm kernel. */
export function transpose(backend: Backend, x: TensorInfo, perm: number[]): TensorInfo {
  return run('Transpose', backend, { x }, { perm });
}
