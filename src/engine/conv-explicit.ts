import * as tf from '@tensorflow/tfjs';
import { run, free, type Attrs, type Backend } from './pack-kernel.js';

/** The geometry and the explicit-padding convolution shared by the two convolution gradient kernels. */

type TensorInfo = tf.TensorInfo;
type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

/** Crops rows/cols of an NHWC tensor: keeps [top, top+h) × [left, left+w). */
function crop(backend: Backend, x: TensorInfo, top: number, left: number, h: number, w: number): TensorInfo {
  return run('Slice', backend, { x }, { begin: [0, top, left, 0], size: [x.shape[0], h, w, x.shape[3]] });
}

/**
 * Stride-1 convolution with explicit, possibly negative padding (negative = crop), optional dilation.
 * x: [B, H, W, Cin], filter: [fh, fw, Cin, Cout] → [B, H + pt + pb - dfh + 1, W + pl + pr - dfw + 1, Cout]
 * where dfh = (fh - 1) * dilation + 1.
 */
export function convExplicit(backend: Backend, x: TensorInfo, filter: TensorInfo, pads: [number, number, number, number], dilations: [number, number]): TensorInfo {
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

/** The tfjs convolution geometry of a kernel call's attributes (NHWC only). */
export function convInfoOf(xShape: number[], filterShape: number[], attrs: Attrs): tf.backend_util.Conv2DInfo {
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
export function isPatchify(info: tf.backend_util.Conv2DInfo): boolean {
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
