import * as tf from '@tensorflow/tfjs';
import { makeTransposeFreeBatchMatMul } from './kernels-matmul.js';
import { makeRepeatTile } from './kernels-tile.js';
import { heapBiasAdd } from './bias-add.js';
import { heapMaxPoolGrad2x2 } from './maxpool-grad.js';
import { heapRelu, RELU_GRAD_KERNEL } from './relu.js';
import { directFilterGradient, directFilterGradientApplies } from './filter-gradient.js';
import { concatLastAxis, flipAndTransposeFilter, patchesAsColumns, splitLastAxis, swapOuterAndInner, swapOuterPair } from './kernels-heap.js';
import type { HeapBackend } from './heap-backend.js';

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
 * Only NHWC (`channelsLast`) and dilation 1 are supported, as in the wasm `Conv2D` itself.
 */

type TensorInfo = tf.TensorInfo;
type Backend = tf.KernelBackend & { disposeData(dataId: object): boolean };
type Attrs = Record<string, unknown>;
type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

/** Runs another registered wasm kernel from inside a kernel. */
function run(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: Attrs = {}): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`detseg kernels: wasm kernel ${name} is not registered`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
}

/** Frees intermediate results of a kernel. */
function free(backend: Backend, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

function reshape(backend: Backend, x: TensorInfo, shape: number[]): TensorInfo {
  return run('Reshape', backend, { x }, { shape });
}

function transpose(backend: Backend, x: TensorInfo, perm: number[]): TensorInfo {
  return run('Transpose', backend, { x }, { perm });
}

/** [N, H, W, C] → [C, H, W, N] (one pass over the heap; the wasm Transpose of this permutation is ~2.5× slower). */
function swapBatchAndChannels(backend: Backend, x: TensorInfo): TensorInfo {
  const [n, h, w, c] = x.shape;
  return swapOuterAndInner(backend as HeapBackend, x, n, h * w, c, [c, h, w, n]);
}

/** Crops rows/cols of an NHWC tensor: keeps [top, top+h) × [left, left+w). */
function crop(backend: Backend, x: TensorInfo, top: number, left: number, h: number, w: number): TensorInfo {
  return run('Slice', backend, { x }, { begin: [0, top, left, 0], size: [x.shape[0], h, w, x.shape[3]] });
}

/**
 * Stride-1 convolution with explicit, possibly negative padding (negative = crop), optional dilation.
 * x: [B, H, W, Cin], filter: [fh, fw, Cin, Cout] → [B, H + pt + pb - dfh + 1, W + pl + pr - dfw + 1, Cout]
 * where dfh = (fh - 1) * dilation + 1.
 */
function convExplicit(backend: Backend, x: TensorInfo, filter: TensorInfo, pads: [number, number, number, number], dilations: [number, number]): TensorInfo {
  let [pt, pb, pl, pr] = pads;
  let input = x;
  const cropTop = Math.max(0, -pt);
  const cropBottom = Math.max(0, -pb);
  const cropLeft = Math.max(0, -pl);
  const cropRight = Math.max(0, -pr);
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    input = crop(backend, x, cropTop, cropLeft, x.shape[1] - cropTop - cropBottom, x.shape[2] - cropLeft - cropRight);
    pt = Math.max(0, pt);
    pb = Math.max(0, pb);
    pl = Math.max(0, pl);
    pr = Math.max(0, pr);
  }
  const out = run('Conv2D', backend, { x: input, filter }, {
    strides: [1, 1],
    pad: [[0, 0], [pt, pb], [pl, pr], [0, 0]],
    dataFormat: 'NHWC',
    dilations,
    dimRoundingMode: undefined,
  });
  if (input !== x) free(backend, input);
  return out;
}

function convInfoOf(xShape: number[], filterShape: number[], attrs: Attrs): tf.backend_util.Conv2DInfo {
  const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC') throw new Error(`detseg kernels: only NHWC is supported, got ${dataFormat}`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number] | number,
    1,
    attrs.pad as Pad,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
}

/** True when windows tile the input exactly: kernel = stride, no padding, input = output × stride. */
function isPatchify(info: tf.backend_util.Conv2DInfo): boolean {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return false;
  const p = info.padInfo;
  return (
    info.filterHeight === info.strideHeight &&
    info.filterWidth === info.strideWidth &&
    p.top === 0 && p.bottom === 0 && p.left === 0 && p.right === 0 &&
    info.inHeight === info.outHeight * info.strideHeight &&
    info.inWidth === info.outWidth * info.strideWidth
  );
}

/**
 * Filter gradient of a 2-D convolution.
 * x: [N, H, W, Ci], dy: [N, Ho, Wo, Co] → dW: [fh, fw, Ci, Co] with
 * dW[a, b, ci, co] = Σ_{n,i,j} x[n, i·sh + a − padTop, j·sw + b − padLeft, ci] · dy[n, i, j, co].
 */
export function conv2DBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as Attrs;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = convInfoOf(x.shape, filterShape, attrs);
  const [fh, fw, ci, co] = filterShape;
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;

  // the direct SIMD kernels (filter-gradient.ts): no packing, no layout change, on the engine's threads
  if (directFilterGradientApplies(info)) {
    const direct = directFilterGradient(backend as HeapBackend, x, dy, info);
    if (direct) return direct;
  }

  if (isPatchify(info)) {
    // x [N, H, W, Ci] → patches as columns [sh·sw·Ci, N·Ho·Wo] (the wasm matmul is fast without a transposed operand)
    const xmt = patchesAsColumns(backend as HeapBackend, x, sh, sw);
    const dym = reshape(backend, dy, [1, n * ho * wo, co]);
    // [sh·sw·Ci, N·Ho·Wo] × [N·Ho·Wo, Co]
    const dw = run('BatchMatMul', backend, { a: xmt, b: dym }, { transposeA: false, transposeB: false });
    const out = reshape(backend, dw, [fh, fw, ci, co]);
    free(backend, dym, xmt, dw);
    return out;
  }

  // XNNPACK packs the filter operand when it creates the operator (~7 ns per value, one thread): with
  // fewer input than output channels x is the smaller operand to pack (measured 4–16 % faster on the
  // U-Net's encoder layers 1→16 … 64→128, equal at Ci = Co)
  if (sh === 1 && sw === 1 && ci < co) return filterGradientPackingInput(backend, x, dy, info);

  // Batch ↔ channels: x [N, H, W, Ci] → [Ci, H, W, N]; dy [N, Ho, Wo, Co] → [Ho, Wo, N, Co] (a filter)
  const xs = swapBatchAndChannels(backend, x);
  const dyf = swapOuterPair(backend as HeapBackend, dy, n, ho * wo, co, [ho, wo, n, co]); // [Ho, Wo, N, Co]
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // padding after such that the output is exactly fh × fw: H + pt + pb − (Ho − 1)·sh = fh
  const pb = fh + (ho - 1) * sh - h - pt;
  const pr = fw + (wo - 1) * sw - w - pl;
  const g = convExplicit(backend, xs, dyf, [pt, pb, pl, pr], [sh, sw]); // [Ci, fh, fw, Co]
  const out = swapOuterPair(backend as HeapBackend, g, ci, fh * fw, co, [fh, fw, ci, co]); // [fh, fw, Ci, Co]
  free(backend, xs, dyf, g);
  return out;
}

/**
 * Stride-1 filter gradient with x as the filter (packed by XNNPACK) and dy, batch and channels swapped,
 * as the input. x: [N, H, W, Ci], dy: [N, Ho, Wo, Co] → dW: [fh, fw, Ci, Co], through
 * out[co, y, x', ci] = Σ_{p,q,n} dyPad[co, y + p, x' + q, n] · x[n, p, q, ci] with dy padded by fh − 1 − padTop
 * on top (fw − 1 − padLeft on the left), and dW[a, b, ci, co] = out[co, fh − 1 − a, fw − 1 − b, ci].
 */
function filterGradientPackingInput(backend: Backend, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  const heap = backend as HeapBackend;
  const dys = swapOuterAndInner(heap, dy, n, ho * wo, co, [co, ho, wo, n]); // [Co, Ho, Wo, N]
  const xf = swapOuterPair(heap, x, n, h * w, ci, [h, w, n, ci]); // [H, W, N, Ci]
  const pt = fh - 1 - info.padInfo.top;
  const pl = fw - 1 - info.padInfo.left;
  const g = convExplicit(backend, dys, xf, [pt, h - ho + info.padInfo.top, pl, w - wo + info.padInfo.left], [1, 1]); // [Co, fh, fw, Ci]
  const out = heap.makeOutput([fh, fw, ci, co], 'float32');
  const src = heap.typedArrayFromHeap(g); // [Co, fh, fw, Ci]
  const dst = heap.typedArrayFromHeap(out); // [fh, fw, Ci, Co]
  for (let o = 0; o < co; o++) {
    for (let a = 0; a < fh; a++) {
      for (let b = 0; b < fw; b++) {
        const from = ((o * fh + (fh - 1 - a)) * fw + (fw - 1 - b)) * ci;
        const to = (a * fw + b) * ci * co + o;
        for (let i = 0; i < ci; i++) dst[to + i * co] = src[from + i];
      }
    }
  }
  free(backend, dys, xf, g);
  return out;
}

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

/**
 * `Add` of a float32 x [..., C] and a bias b [C] (either order; b may carry leading 1s) by the SIMD
 * kernel of `bias-add.ts`, bit for bit upstream's sums; upstream's broadcasting loop is ~9× slower on
 * this shape (every conv's bias add). Every other case goes to upstream.
 */
function makeBiasAdd(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as HeapBackend;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const size = (t: TensorInfo) => t.shape.reduce((p, q) => p * q, 1);
    const [big, small] = size(a) >= size(b) ? [a, b] : [b, a];
    const c = big.shape[big.shape.length - 1];
    const isBias = small.shape.length >= 1 && small.shape.length <= big.shape.length && small.shape[small.shape.length - 1] === c && size(small) === c;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !isBias || size(big) === c || c === 0) return upstream.kernelFunc(args);
    const add = heapBiasAdd(backend);
    if (!add) return upstream.kernelFunc(args);
    const out = backend.makeOutput([...big.shape], 'float32');
    // addresses after the allocation (it may grow the heap)
    add(backend.typedArrayFromHeap(big).byteOffset, backend.typedArrayFromHeap(small).byteOffset, backend.typedArrayFromHeap(out).byteOffset, size(big) / c, 4 * c);
    return out;
  };
}

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

/**
 * `MaxPoolGrad` (dilation 1) in one pass over the wasm heap: each window's gradient dy is added to its
 * first strictly largest input inside the image (row-major scan from −∞, as the cpu backend's
 * `maxPoolPositions`; a window of NaNs passes nothing on), every other input gets 0.
 * x: [N, H, W, C], dy: [N, Ho, Wo, C] → dx: [N, H, W, C]. Upstream's wasm kernel is a slower loop that
 * also resolves ties differently from the cpu backend (ties are common after a ReLU). Dilated pools go
 * to upstream.
 */
function makeMaxPoolGrad(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as HeapBackend;
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const attrs = args.attrs as Attrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize as [number, number] | number,
      attrs.strides as [number, number] | number,
      1,
      attrs.pad as 'valid' | 'same' | number,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    if (input.dtype !== 'float32' || info.dilationHeight !== 1 || info.dilationWidth !== 1) return upstream.kernelFunc(args);
    const { batchSize: n, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, inChannels: c, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    const out = backend.makeOutput([...input.shape], 'float32');
    // 2×2 stride-2 windows tiling the image, channels a multiple of 4 (U-Net's pools): the SIMD kernel
    const tiles2x2 = fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && h === 2 * ho && w === 2 * wo && c % 4 === 0;
    const simd = tiles2x2 ? heapMaxPoolGrad2x2(backend) : undefined;
    if (simd) {
      // addresses after the allocation (it may grow the heap)
      simd(backend.typedArrayFromHeap(input).byteOffset, backend.typedArrayFromHeap(dy).byteOffset, backend.typedArrayFromHeap(out).byteOffset, n * ho, wo, 4 * c, 4 * w * c);
      return out;
    }
    const xv = backend.typedArrayFromHeap(input); // [N, H, W, C]
    const dyv = backend.typedArrayFromHeap(dy); // [N, Ho, Wo, C]
    const dxv = backend.typedArrayFromHeap(out); // [N, H, W, C]
    dxv.fill(0);
    const rowStride = w * c;
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < ho; i++) {
        const r0 = Math.max(0, i * sh - top);
        const r1 = Math.min(h, i * sh - top + fh);
        for (let j = 0; j < wo; j++) {
          const c0 = Math.max(0, j * sw - left);
          const c1 = Math.min(w, j * sw - left + fw);
          const dyBase = ((b * ho + i) * wo + j) * c;
          const corner = (b * h + r0) * rowStride + c0 * c; // x[b, r0, c0, 0]
          if (r1 - r0 === 2 && c1 - c0 === 2) {
            // a full 2×2 window (U-Net's pool), unrolled: the same row-major scan with strict >
            for (let ch = 0; ch < c; ch++) {
              const at00 = corner + ch;
              const at01 = at00 + c;
              const at10 = at00 + rowStride;
              const at11 = at10 + c;
              let best = Number.NEGATIVE_INFINITY;
              let bestAt = -1;
              if (xv[at00] > best) {
                best = xv[at00];
                bestAt = at00;
              }
              if (xv[at01] > best) {
                best = xv[at01];
                bestAt = at01;
              }
              if (xv[at10] > best) {
                best = xv[at10];
                bestAt = at10;
              }
              if (xv[at11] > best) bestAt = at11;
              if (bestAt >= 0) dxv[bestAt] += dyv[dyBase + ch];
            }
            continue;
          }
          for (let ch = 0; ch < c; ch++) {
            let best = Number.NEGATIVE_INFINITY;
            let bestAt = -1;
            for (let r = r0; r < r1; r++) {
              for (let col = c0, at = corner + (r - r0) * rowStride + ch; col < c1; col++, at += c) {
                const v = xv[at];
                if (v > best) {
                  best = v;
                  bestAt = at;
                }
              }
            }
            if (bestAt >= 0) dxv[bestAt] += dyv[dyBase + ch];
          }
        }
      }
    }
    return out;
  };
}

/**
 * `SplitV` along the last axis of a float32 tensor (the gradient of U-Net's channel concat) in one pass
 * over the heap (`splitLastAxis`); upstream slices each part with its generic `Slice`, ~10× slower.
 * Other axes and dtypes go to upstream.
 */
function makeSplitV(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    const rank = x.shape.length;
    const along = tf.util.parseAxisParam(axis, x.shape)[0];
    if (x.dtype !== 'float32' || along !== rank - 1) return upstream.kernelFunc(args);
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, along);
    return splitLastAxis(args.backend as HeapBackend, x, sizes);
  };
}

/**
 * `Concat` along the last axis of float32 tensors (U-Net's skip connections) in one pass over the heap
 * (`concatLastAxis`); upstream copies a subarray per row and input. Other cases go to upstream.
 */
function makeConcat(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const xs = args.inputs as unknown as TensorInfo[];
    const rank = xs[0].shape.length;
    const along = tf.util.parseAxisParam((args.attrs as { axis: number }).axis, xs[0].shape)[0];
    const sameLead = xs.every((t) => t.shape.length === rank && t.shape.slice(0, -1).every((d, i) => d === xs[0].shape[i]));
    if (xs.length < 2 || along !== rank - 1 || !sameLead || xs.some((t) => t.dtype !== 'float32')) return upstream.kernelFunc(args);
    return concatLastAxis(args.backend as HeapBackend, xs);
  };
}

let registered = false;

/**
 * Registers the kernel pack for the 'wasm' backend (replacing upstream's slow `Conv2DBackpropInput`,
 * copying `Identity`, and wrapping `Sum`, `MaxPoolGrad`, `SplitV`, `Concat`, `BatchMatMul`, `Tile`,
 * `Cast`, `Add` and `Relu` with fast paths that hand every other case to upstream), the kernel
 * `DetsegReluGrad`, and ReLU's gradient that uses it on 'wasm'. Idempotent.
 */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  const kernels: Array<[string, tf.KernelFunc]> = [
    ['Conv2DBackpropFilter', conv2DBackpropFilterWasm as unknown as tf.KernelFunc],
    ['Conv2DBackpropInput', conv2DBackpropInputWasm as unknown as tf.KernelFunc],
    ['Identity', identityWasm as unknown as tf.KernelFunc],
    [RELU_GRAD_KERNEL, reluGradWasm as unknown as tf.KernelFunc],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  const wrapped: Array<[string, (upstream: tf.KernelConfig) => tf.KernelFunc]> = [
    ['Sum', makeLeadingSum],
    ['MaxPoolGrad', makeMaxPoolGrad],
    ['SplitV', makeSplitV],
    ['Concat', makeConcat],
    ['BatchMatMul', makeTransposeFreeBatchMatMul],
    ['Tile', makeRepeatTile],
    ['Cast', makeSameTypeCast],
    ['Add', makeBiasAdd],
    ['Relu', makeRelu],
  ];
  for (const [kernelName, wrap] of wrapped) {
    const upstream = tf.getKernel(kernelName, 'wasm');
    if (!upstream) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', setupFunc: upstream.setupFunc, kernelFunc: wrap(upstream) });
  }
  tf.registerGradient(reluGradient);
  registered = true;
}

/** Names of the kernels registered by {@link registerWasmGradientKernels}. */
export const WASM_KERNEL_PACK = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Identity', 'Sum', 'MaxPoolGrad', 'SplitV', 'Concat', 'BatchMatMul', 'Tile', 'Cast', 'Add', 'Relu', RELU_GRAD_KERNEL] as const;
