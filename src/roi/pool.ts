import { nhwcSize, validateNhwc, validateOut } from '../ops/nhwc.js';
import { DetsegInputError } from '../util/errors.js';
import { maxKernel, type ChannelImplementation } from './channel-kernels.js';
import { validateRoiGrid, validateRois, type RoiArray, type RoiGridOptions } from './rois.js';

/** Output of {@link roiPool}. */
export interface RoiPoolResult {
  /** Pooled features `Float32Array [K, outHeight, outWidth, C]`. */
  output: Float32Array;
  /**
   * For every output element, the flat index into the feature map `[B, H, W, C]` of the maximum it
   * took (`((b·H + y)·W + x)·C + c`), or −1 for an empty bin. `Int32Array [K, outHeight, outWidth, C]`.
   */
  argmax: Int32Array;
}

/** Options of {@link roiPool} and {@link roiPoolOutput}. */
export interface RoiPoolOptions extends RoiGridOptions {
  /** Channel loops: WebAssembly SIMD (default where available) or plain TypeScript; same results. */
  implementation?: ChannelImplementation;
}

/** C's `round`: to the nearest integer, halves away from zero (JavaScript's Math.round goes to +∞). */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * RoI Pool forward (Fast R-CNN), with torchvision's `roi_pool` semantics, in NHWC:
 * - the RoI corners are scaled by `spatialScale` and rounded (halves away from zero) to cells;
 *   its size in cells is `end − start + 1`, at least 1 (so a reversed RoI becomes one cell);
 * - bin (ph, pw) covers rows `[floor(ph·h/outHeight), ceil((ph+1)·h/outHeight))` and likewise columns,
 *   offset by the RoI start and clamped to the map; an empty bin outputs 0 (argmax −1);
 * - each output element is the maximum over its bin of one channel (a value wins only when strictly
 *   greater, from −FLT_MAX: ties keep the first cell in row-major order, NaN never wins).
 * Arithmetic on coordinates is done in float32, as torchvision's kernel does.
 *
 * `features: Float32Array [B, H, W, C]` with `shape`; `rois: Float32Array [K, 5]` (batch index, x1,
 * y1, x2, y2 in image pixels) → output `Float32Array [K, outHeight, outWidth, C]` and the argmax
 * indices for {@link roiPoolBackward}. Throws {@link DetsegInputError} on a bad shape, a non-finite
 * RoI, a batch index out of range or `out` buffers of the wrong length. With `out`, the results are
 * written into its arrays (buffers reused across calls) instead of new ones. {@link roiPoolOutput}
 * skips the argmax (for inference).
 */
export function roiPool(features: Float32Array, shape: readonly number[], rois: RoiArray, options: RoiPoolOptions, out?: RoiPoolResult): RoiPoolResult {
  return pool(features, shape, rois, options, true, out);
}

/** {@link roiPool} under the name that says it returns the argmax too (same function). */
export const roiPoolWithArgmax = roiPool;

/**
 * RoI Pool forward without the argmax: {@link roiPool}'s output only, `Float32Array [K, outHeight,
 * outWidth, C]` — cheaper where no gradient is needed; written into `out` when given.
 */
export function roiPoolOutput(features: Float32Array, shape: readonly number[], rois: RoiArray, options: RoiPoolOptions, out?: Float32Array): Float32Array {
  return pool(features, shape, rois, options, false, out && { output: out, argmax: new Int32Array(0) }).output;
}

function pool(features: Float32Array, shape: readonly number[], rois: RoiArray, options: RoiPoolOptions, withArgmax: boolean, out: RoiPoolResult | undefined): RoiPoolResult {
  const [batch, height, width, channels] = validateNhwc(features, shape, 'features');
  validateRoiGrid(options);
  const k = validateRois(rois, batch);
  const { outHeight, outWidth } = options;
  const scale = Math.fround(options.spatialScale);
  const length = k * outHeight * outWidth * channels;
  validateOut(out?.output, length, 'out.output');
  if (withArgmax) validateOut(out?.argmax, length, 'out.argmax');
  const kernel = maxKernel(features, length, channels, withArgmax, options.implementation, out);
  const rowStride = width * channels;
  let cells = new Int32Array(64); // flat index of (b, y, x, 0) for every cell of the current bin
  for (let r = 0; r < k; r++) {
    const imageBase = rois[5 * r] * height * rowStride; // features[b, 0, 0, 0]
    const startX = roundHalfAway(Math.fround(rois[5 * r + 1] * scale));
    const startY = roundHalfAway(Math.fround(rois[5 * r + 2] * scale));
    const endX = roundHalfAway(Math.fround(rois[5 * r + 3] * scale));
    const endY = roundHalfAway(Math.fround(rois[5 * r + 4] * scale));
    const binH = Math.fround(Math.max(endY - startY + 1, 1) / outHeight);
    const binW = Math.fround(Math.max(endX - startX + 1, 1) / outWidth);
    for (let ph = 0; ph < outHeight; ph++) {
      const y0 = Math.min(Math.max(Math.floor(Math.fround(ph * binH)) + startY, 0), height);
      const y1 = Math.min(Math.max(Math.ceil(Math.fround((ph + 1) * binH)) + startY, 0), height);
      for (let pw = 0; pw < outWidth; pw++) {
        const x0 = Math.min(Math.max(Math.floor(Math.fround(pw * binW)) + startX, 0), width);
        const x1 = Math.min(Math.max(Math.ceil(Math.fround((pw + 1) * binW)) + startX, 0), width);
        // An empty bin (y1 ≤ y0 or x1 ≤ x0) has no cells: the kernel writes 0 and argmax −1.
        const count = y1 > y0 && x1 > x0 ? (y1 - y0) * (x1 - x0) : 0;
        if (cells.length < count) cells = new Int32Array(2 * count);
        let n = 0;
        for (let y = y0; y < y1 && count > 0; y++) for (let x = x0; x < x1; x++) cells[n++] = imageBase + y * rowStride + x * channels;
        kernel.run(((r * outHeight + ph) * outWidth + pw) * channels, count, cells); // output[r, ph, pw, :]
      }
    }
  }
  const result = kernel.finish();
  return out ?? result; // with `out`, result holds its very arrays
}

/**
 * RoI Pool backward: each output gradient flows to the feature cell its maximum came from (summed
 * where several outputs share one); empty bins pass nothing. `gradOutput: Float32Array [K, outHeight,
 * outWidth, C]`, `argmax: Int32Array` of the same length from {@link roiPool}, `shape` the feature map's
 * `[B, H, W, C]` → gradient `Float32Array [B, H, W, C]`.
 */
export function roiPoolBackward(gradOutput: Float32Array, argmax: Int32Array, shape: readonly number[]): Float32Array {
  const size = nhwcSize(shape, 'shape');
  const gradInput = new Float32Array(size);
  if (gradOutput.length !== argmax.length) {
    throw new DetsegInputError(`has length ${gradOutput.length} but argmax has ${argmax.length}`, { field: 'gradOutput' });
  }
  for (let i = 0; i < argmax.length; i++) {
    const j = argmax[i];
    if (j < 0) continue;
    if (j >= size) throw new DetsegInputError(`index ${j} at ${i} lies outside the feature map of ${size} elements`, { field: 'argmax' });
    gradInput[j] += gradOutput[i];
  }
  return gradInput;
}
