import * as tf from '@tensorflow/tfjs';
import { biasAddKernel } from './kernels-bias-add.js';
import { castKernel } from './kernels-cast.js';
import { concatKernel } from './kernels-concat.js';
import { conv2DBackpropFilterKernel } from './kernels-conv-filter.js';
import { conv2DBackpropInputKernel } from './kernels-conv-input.js';
import { identityKernel } from './kernels-identity.js';
import { batchMatMulKernel } from './kernels-matmul.js';
import { maxPoolGradKernel } from './kernels-maxpool-grad.js';
import { reluGradKernel, reluKernel } from './kernels-relu.js';
import { splitVKernel } from './kernels-split.js';
import { leadingSumKernel } from './kernels-sum.js';
import { repeatTileKernel } from './kernels-tile.js';
import type { PackKernel } from './pack-kernel.js';

/**
 * The kernel pack: gradient kernels that the TF.js wasm backend lacks (or has only as a slow loop),
 * composed from its fast XNNPACK kernels (`Conv2D`, `BatchMatMul`, `AvgPool`) and data movement
 * (`PadV2`, `Slice`, `Reshape`, and the layout loops over the wasm heap of `kernels-heap.ts`).
 *
 * - `Conv2DBackpropFilter` (absent upstream; no conv net trains without it): where Co or Ci is a multiple
 *   of 4, the direct SIMD kernels of `filter-gradient.ts` (no packing, on the engine's threads); else a
 *   convolution of the input, with batch and channels swapped, by the output gradient used as a filter
 *   dilated by the stride.
 * - `Conv2DBackpropInput` (upstream: a scalar loop; it is also the FORWARD kernel of
 *   `tf.conv2dTranspose`): the input gradient is a stride-1 convolution of the stride-dilated
 *   (zero-inserted) output gradient with the flipped, transposed filter.
 * - `Identity` shares its input's buffer (upstream copies); `Sum` over leading axes (conv bias gradients)
 *   is one XNNPACK average pooling times the count (upstream transposes first); other sums go upstream.
 * - `MaxPoolGrad` (upstream: a slower loop with another tie rule than the cpu backend), `SplitV` and
 *   `Concat` along the last axis (U-Net's skip connections) are single passes over the wasm heap (SIMD
 *   kernels: `maxpool-grad.ts` for 2×2/2 pools, `copy-rows.ts`; loops otherwise).
 * - The bias `Add` x [..., C] + b [C] (`bias-add.ts`), `Relu` and ReLU's gradient `DetsegReluGrad`
 *   (`relu.ts`) are one SIMD pass each; `Cast` to the same dtype shares the buffer.
 * - Both conv gradients have a fast path for non-overlapping windows (kernel = stride, no padding: the 2×2 stride-2
 *   transposed conv of U-Net), where each is one matrix product (a 1×1 convolution for the input
 *   gradient, a plain `BatchMatMul` for the filter gradient) and a reshuffle.
 *
 * Each kernel is its own file (`kernels-conv-filter.ts`, `kernels-sum.ts`, …) exporting its
 * {@link PackKernel}; {@link KERNEL_PACK} lists them once, for registration and for {@link WASM_KERNEL_PACK}.
 *
 * Only NHWC (`channelsLast`) and dilation 1 are supported, as in the wasm `Conv2D` itself.
 */

/** The kernel pack, in registration order. */
const KERNEL_PACK: readonly PackKernel[] = [
  conv2DBackpropFilterKernel,
  conv2DBackpropInputKernel,
  identityKernel,
  leadingSumKernel,
  maxPoolGradKernel,
  splitVKernel,
  concatKernel,
  batchMatMulKernel,
  repeatTileKernel,
  castKernel,
  biasAddKernel,
  reluKernel,
  reluGradKernel,
];

let registered = false;

/**
 * Registers the kernel pack for the 'wasm' backend (replacing upstream's slow `Conv2DBackpropInput`,
 * copying `Identity`, and wrapping `Sum`, `MaxPoolGrad`, `SplitV`, `Concat`, `BatchMatMul`, `Tile`,
 * `Cast`, `Add` and `Relu` with fast paths that hand every other case to upstream), the kernel
 * `DetsegReluGrad`, and ReLU's gradient that uses it on 'wasm'. Idempotent.
 */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  for (const kernel of KERNEL_PACK) {
    const { kernelName } = kernel;
    if (kernel.kernelFunc) {
      if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernel.kernelFunc });
    } else {
      const upstream = tf.getKernel(kernelName, 'wasm');
      if (upstream) {
        tf.unregisterKernel(kernelName, 'wasm');
        tf.registerKernel({ kernelName, backendName: 'wasm', setupFunc: upstream.setupFunc, kernelFunc: kernel.wrap(upstream) });
      }
    }
    if (kernel.gradient) tf.registerGradient(kernel.gradient);
  }
  registered = true;
}

/** Names of the kernels registered by {@link registerWasmGradientKernels}. */
export const WASM_KERNEL_PACK: readonly string[] = KERNEL_PACK.map((k) => k.kernelName);
