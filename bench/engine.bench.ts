import type { Bench } from './harness.js';
import { initEngine } from '../src/engine/setup.js';
import { prepareConvForward, prepareUNetStep } from '../src/benchmarks/engine-speed.js';
import * as tf from '@tensorflow/tfjs';

/** Runs a kernel and reads its output (outside tf.tidy, which would walk a returned typed array). */
function runAndRead(kernel: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown>): void {
  const out = tf.engine().runKernel(kernel, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  out.dataSync();
  out.dispose();
}

/**
 * Engine benchmarks: one Adam step of the ~480k-parameter U-Net (batch 8 of 128×128×1, sigmoid CE) on
 * the engine's default threads, the 3×3 conv forward pass it is made of, the two gradient kernels of
 * the kernel pack on a middle U-Net layer ([8, 64, 64, 32] → 32), and the pack's other kernels on the
 * first U-Net level (filter gradient, bias add, bias-gradient Sum, MaxPoolGrad, Concat + SplitV).
 */
export async function engineBenches(): Promise<Bench[]> {
  const engine = await initEngine();
  const threads = `${engine.threads} thread${engine.threads > 1 ? 's' : ''}`;
  const layer = () => {
    const x = tf.randomNormal([8, 64, 64, 32], 0, 1, 'float32', 1); // [B, H, W, Cin]
    const dy = tf.randomNormal([8, 64, 64, 32], 0, 1, 'float32', 2); // [B, H, W, Cout]
    const w = tf.randomNormal([3, 3, 32, 32], 0, 0.1, 'float32', 3); // [3, 3, Cin, Cout]
    return { x, dy, w };
  };
  return [
    {
      name: `engine: U-Net train step (480k params, 8×128×128×1, Adam, ${threads})`,
      reps: 5,
      setup: () => {
        const prepared = prepareUNetStep();
        prepared.step(); // first call creates the optimizer slots
        return prepared.step;
      },
    },
    {
      name: `engine: conv 3×3 forward [8,64,64,32]→32 (0.6 GFLOP, ${threads})`,
      setup: () => prepareConvForward().run,
    },
    {
      name: `engine: Conv2DBackpropFilter [8,64,64,32]→32 (direct SIMD kernels, ${threads})`,
      setup: () => {
        const { x, dy } = layer();
        return () => runAndRead('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 32, 32] });
      },
    },
    {
      name: `engine: Conv2DBackpropFilter [8,128,128,16]→16, U-Net level 0 (direct SIMD kernels, ${threads})`,
      setup: () => {
        const x = tf.randomNormal([8, 128, 128, 16], 0, 1, 'float32', 11); // [B, H, W, Cin]
        const dy = tf.randomNormal([8, 128, 128, 16], 0, 1, 'float32', 12); // [B, H, W, Cout]
        return () => runAndRead('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 16] });
      },
    },
    {
      name: 'engine: bias Add [8,128,128,16] + [16] (SIMD kernel)',
      setup: () => {
        const x = tf.randomNormal([8, 128, 128, 16], 0, 1, 'float32', 13); // [B, H, W, C]
        const bias = tf.randomNormal([16], 0, 1, 'float32', 14); // [C]
        return () => runAndRead('Add', { a: x, b: bias }, {});
      },
    },
    {
      name: 'engine: Conv2DBackpropInput [8,64,64,32]→32',
      setup: () => {
        const { dy, w } = layer();
        return () => runAndRead('Conv2DBackpropInput', { dy, filter: w }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [8, 64, 64, 32] });
      },
    },
    {
      name: 'engine: bias gradient Sum over [8,128,128,16] → 16',
      setup: () => {
        const dy = tf.randomNormal([8, 128, 128, 16], 0, 1, 'float32', 4); // [B, H, W, C]
        return () => runAndRead('Sum', { x: dy }, { axis: [0, 1, 2], keepDims: false });
      },
    },
    {
      name: 'engine: MaxPoolGrad 2×2/2 [8,128,128,16]',
      setup: () => {
        const x = tf.randomNormal([8, 128, 128, 16], 0, 1, 'float32', 5); // [B, H, W, C]
        const y = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'); // [B, H/2, W/2, C]
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 6);
        return () => runAndRead('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' });
      },
    },
    {
      name: 'engine: Concat + SplitV of [8,128,128,16] and [8,128,128,16] on channels',
      setup: () => {
        const a = tf.randomNormal([8, 128, 128, 16], 0, 1, 'float32', 7); // [B, H, W, C]
        const b = tf.randomNormal([8, 128, 128, 16], 0, 1, 'float32', 8); // [B, H, W, C]
        return () => {
          const joined = tf.engine().runKernel('Concat', [a, b] as unknown as tf.NamedTensorMap, { axis: 3 } as unknown as tf.NamedAttrMap) as tf.Tensor; // [B, H, W, 2C]
          const parts = tf.engine().runKernel('SplitV', { x: joined }, { numOrSizeSplits: [16, 16], axis: 3 } as unknown as tf.NamedAttrMap) as tf.Tensor[];
          parts[1].dataSync();
          tf.dispose([joined, ...parts]);
        };
      },
    },
  ];
}
