import type { Bench } from './harness.js';
import { initEngine } from '../src/engine/setup.js';
import { prepareConvForward, prepareUNetStep } from '../src/engine/speed.js';
import * as tf from '@tensorflow/tfjs';

/** Runs a kernel and reads its output (outside tf.tidy, which would walk a returned typed array). */
function runAndRead(kernel: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown>): void {
  const out = tf.engine().runKernel(kernel, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  out.dataSync();
  out.dispose();
}

/**
 * Engine benchmarks: one Adam step of the ~480k-parameter U-Net (batch 8 of 128×128×1, sigmoid CE),
 * the 3×3 conv forward pass it is made of, and the two gradient kernels of the kernel pack on a
 * middle U-Net layer ([8, 64, 64, 32] → 32).
 */
export async function engineBenches(): Promise<Bench[]> {
  await initEngine();
  const layer = () => {
    const x = tf.randomNormal([8, 64, 64, 32], 0, 1, 'float32', 1); // [B, H, W, Cin]
    const dy = tf.randomNormal([8, 64, 64, 32], 0, 1, 'float32', 2); // [B, H, W, Cout]
    const w = tf.randomNormal([3, 3, 32, 32], 0, 0.1, 'float32', 3); // [3, 3, Cin, Cout]
    return { x, dy, w };
  };
  return [
    {
      name: 'engine: U-Net train step (480k params, 8×128×128×1, Adam)',
      goal: '≤ 800 ms (PyTorch 1.13 CPU 3,296 ms)',
      reps: 5,
      setup: () => {
        const prepared = prepareUNetStep();
        prepared.step(); // first call creates the optimizer slots
        return prepared.step;
      },
    },
    {
      name: 'engine: conv 3×3 forward [8,64,64,32]→32 (0.6 GFLOP)',
      goal: '≤ 15.1 ms (= 40 GFLOP/s)',
      setup: () => prepareConvForward().run,
    },
    {
      name: 'engine: Conv2DBackpropFilter [8,64,64,32]→32',
      goal: '≈ 2× the forward pass',
      setup: () => {
        const { x, dy } = layer();
        return () => runAndRead('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 32, 32] });
      },
    },
    {
      name: 'engine: Conv2DBackpropInput [8,64,64,32]→32',
      goal: '≈ the forward pass',
      setup: () => {
        const { dy, w } = layer();
        return () => runAndRead('Conv2DBackpropInput', { dy, filter: w }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [8, 64, 64, 32] });
      },
    },
  ];
}
