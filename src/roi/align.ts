import { nhwcSize, validateNhwc, validateOut, type NhwcShape } from '../ops/nhwc.js';
import { DetsegInputError } from '../util/errors.js';
import { AxisSamples } from './align-sampling.js';
import { gatherKernel, scatterKernel, type ChannelImplementation } from './channel-kernels.js';
import { validateRoiGrid, validateRois, type RoiArray, type RoiGridOptions } from './rois.js';

/** Options of {@link roiAlign} and {@link roiAlignBackward}. */
export interface RoiAlignOptions extends RoiGridOptions {
  /**
   * Samples per bin along each axis: > 0 a fixed count, ≤ 0 adaptive, `ceil(roi size / output size)`
   * per axis (torchvision's sampling_ratio; Mask R-CNN uses 2 or adaptive).
   */
  samplingRatio: number;
  /**
   * Shift the RoI by −0.5 cell so that a pixel's centre maps onto a cell centre (torchvision's
   * `aligned=True`, detectron2's ROIAlignV2). With `false` (the original Mask R-CNN) the RoI is also
   * made at least 1×1 cell.
   */
  aligned: boolean;
  /** Channel loops: WebAssembly SIMD (default where available) or plain TypeScript; same results. */
  implementation?: ChannelImplementation;
}

/**
 * Most samples per bin along one axis. Adaptive sampling takes ceil(RoI size / bins) samples, so a RoI
 * with absurd coordinates (1e12 px) would otherwise loop for ever, as torchvision's kernel does.
 */
const MAX_GRID = 65536;

/**
 * Walks the taps of every bin of every RoI: for RoI r and bin (ph, pw) it calls `visit(o, taps)`
 * where `o` is the flat index of output[r, ph, pw, 0] and the first `taps` entries of `tapOffset` /
 * `tapWeight` hold the flat feature index of (b, y, x, 0) and its weight (already divided by the
 * sample count). Shared by the forward and backward pass, so both use the very same weights.
 */
function forEachBin(shape: readonly [number, number, number, number], rois: RoiArray, k: number, options: RoiAlignOptions, visit: (o: number, taps: number, tapOffset: Int32Array, tapWeight: Float64Array) => void): void {
  const [, height, width, channels] = shape;
  const { outHeight, outWidth, samplingRatio, aligned } = options;
  const fr = Math.fround;
  const scale = fr(options.spatialScale);
  const offset = aligned ? 0.5 : 0;
  const rowStride = width * channels;
  const rows = new AxisSamples();
  const cols = new AxisSamples();
  let tapOffset = new Int32Array(64);
  let tapWeight = new Float64Array(64);
  for (let r = 0; r < k; r++) {
    const imageBase = rois[5 * r] * height * rowStride; // features[b, 0, 0, 0]
    const startX = fr(fr(rois[5 * r + 1] * scale) - offset);
    const startY = fr(fr(rois[5 * r + 2] * scale) - offset);
    let roiW = fr(fr(fr(rois[5 * r + 3] * scale) - offset) - startX);
    let roiH = fr(fr(fr(rois[5 * r + 4] * scale) - offset) - startY);
    if (!aligned) {
      roiW = Math.max(roiW, 1);
      roiH = Math.max(roiH, 1);
    }
    const binH = fr(roiH / outHeight);
    const binW = fr(roiW / outWidth);
    const gridH = samplingRatio > 0 ? samplingRatio : Math.ceil(binH);
    const gridW = samplingRatio > 0 ? samplingRatio : Math.ceil(binW);
    if (gridH > MAX_GRID || gridW > MAX_GRID) {
      throw new DetsegInputError(`RoI ${r} [${Array.from(rois.subarray(5 * r, 5 * r + 5)).join(', ')}] needs ${gridH}×${gridW} samples per bin with adaptive sampling (at most ${MAX_GRID} per axis): use a fixed samplingRatio or check its coordinates`, { field: 'rois' });
    }
    const count = Math.max(gridH * gridW, 1);
    rows.fill(startY, binH, gridH, outHeight, height);
    cols.fill(startX, binW, gridW, outWidth, width);
    let maxRows = 0, maxCols = 0;
    for (let ph = 0; ph < outHeight; ph++) maxRows = Math.max(maxRows, rows.length[ph]);
    for (let pw = 0; pw < outWidth; pw++) maxCols = Math.max(maxCols, cols.length[pw]);
    const maxTaps = maxRows * maxCols;
    if (tapOffset.length < maxTaps) {
      tapOffset = new Int32Array(maxTaps);
      tapWeight = new Float64Array(maxTaps);
    }
    for (let ph = 0; ph < outHeight; ph++) {
      const nRows = rows.length[ph];
      const rowBase = ph * rows.capacity;
      for (let pw = 0; pw < outWidth; pw++) {
        const nCols = cols.length[pw];
        const colBase = pw * cols.capacity;
        let taps = 0;
        for (let i = 0; i < nRows; i++) {
          const yOffset = imageBase + rows.index[rowBase + i] * rowStride;
          const wy = rows.weight[rowBase + i] / count;
          for (let j = 0; j < nCols; j++) {
            tapOffset[taps] = yOffset + cols.index[colBase + j] * channels;
            tapWeight[taps] = wy * cols.weight[colBase + j];
            taps++;
          }
        }
        visit(((r * outHeight + ph) * outWidth + pw) * channels, taps, tapOffset, tapWeight);
      }
    }
  }
}

function validateAlign(shape: readonly number[], rois: RoiArray, options: RoiAlignOptions): number {
  validateRoiGrid(options);
  if (!Number.isInteger(options.samplingRatio)) throw new DetsegInputError(`must be an integer, got ${options.samplingRatio}`, { field: 'samplingRatio' });
  return validateRois(rois, shape[0]);
}

/**
 * RoI Align forward (Mask R-CNN), with torchvision's `roi_align` semantics, in NHWC:
 * - the RoI corners are scaled by `spatialScale` (and shifted by −0.5 when `aligned`), not rounded;
 * - each of the outHeight × outWidth bins averages a grid of `samplingRatio²` (or adaptive) samples
 *   placed at the centres of equal sub-cells;
 * - a sample is bilinearly interpolated from its 4 neighbouring cells; a sample beyond −1 or the map
 *   size in either axis reads 0, one in [−1, 0] is clamped to 0, and one past the last cell reads it.
 * Coordinates are computed in float32 as torchvision's CPU kernel does; sums are in double precision.
 *
 * `features: Float32Array [B, H, W, C]` with `shape`; `rois: Float32Array [K, 5]` (batch index, x1,
 * y1, x2, y2 in image pixels) → `Float32Array [K, outHeight, outWidth, C]`, written into `out` when
 * given (a buffer reused across calls, e.g. by a training loop), else a new array. Throws
 * {@link DetsegInputError} on a bad shape, a non-finite RoI, a batch index out of range or an `out`
 * of the wrong length.
 */
export function roiAlign(features: Float32Array, shape: readonly number[], rois: RoiArray, options: RoiAlignOptions, out?: Float32Array): Float32Array {
  const nhwc = validateNhwc(features, shape, 'features');
  const k = validateAlign(nhwc, rois, options);
  const length = k * options.outHeight * options.outWidth * nhwc[3];
  validateOut(out, length, 'out');
  const kernel = gatherKernel(features, length, nhwc[3], options.implementation, out);
  forEachBin(nhwc, rois, k, options, (o, taps, tapOffset, tapWeight) => kernel.run(o, taps, tapOffset, tapWeight));
  return kernel.finish();
}

/**
 * RoI Align backward: the gradient of {@link roiAlign}'s output with respect to the feature map. Every
 * output gradient is spread over the cells its samples read, with the same bilinear weights (divided
 * by the sample count); RoI Align is linear in the features, so this is its exact transpose.
 * `gradOutput: Float32Array [K, outHeight, outWidth, C]`, `shape` the feature map's `[B, H, W, C]`,
 * `rois` and `options` as in the forward pass → `Float32Array [B, H, W, C]`, written into `out` when
 * given (its previous contents are overwritten), else a new array.
 */
export function roiAlignBackward(gradOutput: Float32Array, shape: readonly number[], rois: RoiArray, options: RoiAlignOptions, out?: Float32Array): Float32Array {
  const size = nhwcSize(shape, 'shape');
  validateOut(out, size, 'out');
  const nhwc: NhwcShape = [shape[0], shape[1], shape[2], shape[3]];
  const k = validateAlign(nhwc, rois, options);
  const channels = nhwc[3];
  const expected = k * options.outHeight * options.outWidth * channels;
  if (gradOutput.length !== expected) throw new DetsegInputError(`expected ${expected} elements [${k}, ${options.outHeight}, ${options.outWidth}, ${channels}], got ${gradOutput.length}`, { field: 'gradOutput' });
  const kernel = scatterKernel(gradOutput, size, channels, options.implementation, out);
  forEachBin(nhwc, rois, k, options, (o, taps, tapOffset, tapWeight) => kernel.run(o, taps, tapOffset, tapWeight));
  return kernel.finish();
}
