import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './heap-backend.js';
import { flipAndTransposeFilter, swapOuterPair } from './kernels-heap.js';
import { convExplicit, convInfoOf, isPatchify } from './conv-explicit.js';
import { free, reshape, run, transpose, type Attrs, type Backend, type PackKernel } from './pack-kernel.js';

type TensorInfo = tf.TensorInfo;

/**
 * Input gradient of a 2-D convolution (also the forward pass of a transposed convolution).
 * dy: [N, Ho, Wo, Co], filter: [fh, fw, Ci, Co], attrs.inputShape [N, H, W, Ci] → dx: [N, H, W, Ci] with
 * dx[n, y, x, ci] = Σ_{i,j,a,b: i·sh + a − padTop = y, j·sw + b − padLeft = x} dy[n, i, j, co] · W[a, b, ci, co].
 */
export function conv2DBackpropInputWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as Backend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as Attrs;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = convInfoOf(inputShape, filter.shape, attrs);
  const [fh, fw, ci, co] = filter.shape;
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;

  if (isPatchify(info)) {
    // A 1×1 convolution (XNNPACK GEMM; the wasm BatchMatMul with a transposed operand is ~10× slower):
    // dy [N, Ho, Wo, Co] ⊛ Wᵀ [1, 1, Co, fh·fw·Ci] → [N, Ho, Wo, fh, fw, Ci] → [N, Ho, fh, Wo, fw, Ci] = [N, H, W, Ci]
    const wm = reshape(backend, filter, [fh * fw * ci, co]);
    const wt = transpose(backend, wm, [1, 0]);
    const w1 = reshape(backend, wt, [1, 1, co, fh * fw * ci]);
    const prod = run('Conv2D', backend, { x: dy, filter: w1 }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined });
    // [N·Ho, Wo, fh, fw·Ci] → [N·Ho, fh, Wo, fw·Ci] = [N, H, W, Ci]
    const out = swapOuterPair(backend as HeapBackend, prod, wo, fh, fw * ci, [n, h, w, ci], n * ho);
    free(backend, wm, wt, w1, prod);
    return out;
  }

  // Zero insertion: dy [N, Ho, Wo, Co] → [N, Ho·sh, Wo·sw, Co] with dy[i, j] at (i·sh, j·sw)
  let dyd = dy;
  const temps: TensorInfo[] = [];
  if (sh > 1 || sw > 1) {
    const d6 = reshape(backend, dy, [n, ho, 1, wo, 1, co]);
    const padded = run('PadV2', backend, { x: d6 }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
    dyd = reshape(backend, padded, [n, ho * sh, wo * sw, co]);
    temps.push(d6, padded, dyd);
  }
  // Flipped, transposed filter: Wf[a, b, co, ci] = W[fh − 1 − a, fw − 1 − b, ci, co]
  const wf = flipAndTransposeFilter(backend as HeapBackend, filter);
  temps.push(wf);
  const hd = dyd.shape[1];
  const wd = dyd.shape[2];
  const pt = fh - 1 - info.padInfo.top;
  const pl = fw - 1 - info.padInfo.left;
  const pb = h + fh - 1 - hd - pt;
  const pr = w + fw - 1 - wd - pl;
  const out = convExplicit(backend, dyd, wf, [pt, pb, pl, pr], [1, 1]);
  free(backend, ...temps);
  return out;
}

/** `Conv2DBackpropInput` (upstream: a scalar loop): {@link conv2DBackpropInputWasm}. */
export const conv2DBackpropInputKernel: PackKernel = { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2DBackpropInputWasm as unknown as tf.KernelFunc };
