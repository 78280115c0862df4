import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './heap-backend.js';
import { heapMaxPoolGrad2x2 } from './maxpool-grad.js';
import { type Attrs, type PackKernel } from './pack-kernel.js';

type TensorInfo = tf.TensorInfo;

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

/** `MaxPoolGrad` in one pass over the heap: {@link makeMaxPoolGrad}. */
export const maxPoolGradKernel: PackKernel = { kernelName: 'MaxPoolGrad', wrap: makeMaxPoolGrad };
