import { DetsegInputError } from '../util/errors.js';
import { nhwcSize, validateInteger, validateNhwc, type NhwcShape } from './nhwc.js';

/**
 * Max pooling that remembers its "switches" and the max-unpooling that uses them (Zeiler & Fergus
 * 2014; SegNet): the pool keeps, for every output cell, the flat index of the input element that won,
 * and the unpooling writes each value back at that index and zeros everywhere else. Both are NHWC and
 * typed-array loops; `src/engine/unpool-ops.ts` makes them differentiable tfjs ops.
 *
 * A switch is the flat index `((b·H + y)·W + x)·C + c` into the pooled input `[B, H, W, C]` (tfjs'
 * `maxPoolWithArgmax` with the batch included). Ties go to the first maximum in row-major window
 * order, so the gradient of a pool with tied inputs goes to one element only.
 */

/** Output of {@link maxPoolWithSwitches}. */
export interface PooledWithSwitches {
  /** `Float32Array [B, ⌊H/size⌋, ⌊W/size⌋, C]`, the window maxima. */
  output: Float32Array;
  /** `Int32Array [B, ⌊H/size⌋, ⌊W/size⌋, C]`, flat input index of every maximum. */
  switches: Int32Array;
  /** Shape of `output` and `switches`. */
  shape: NhwcShape;
}

/**
 * `size`×`size` max pooling with stride `size` and no padding (rows and columns past the last whole
 * window are dropped, as tfjs' 'valid' pooling does) of `x: Float32Array [B, H, W, C]`, with the switches.
 */
export function maxPoolWithSwitches(x: Float32Array, shape: readonly number[], size: number): PooledWithSwitches {
  const [batch, height, width, channels] = validateNhwc(x, shape, 'maxPoolWithSwitches: x');
  validateInteger(size, 1, 'maxPoolWithSwitches: size');
  const oh = Math.floor(height / size);
  const ow = Math.floor(width / size);
  const n = batch * oh * ow * channels;
  const output = new Float32Array(n);
  const switches = new Int32Array(n);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const o = ((b * oh + oy) * ow + ox) * channels;
        for (let c = 0; c < channels; c++) {
          let best = -Infinity;
          let at = -1;
          for (let dy = 0; dy < size; dy++) {
            const row = (b * height + oy * size + dy) * width + ox * size;
            for (let dx = 0; dx < size; dx++) {
              const i = (row + dx) * channels + c;
              // the first NaN of a window wins and stays, so a NaN input shows in the output
              if (at < 0 || x[i] > best || (Number.isNaN(x[i]) && !Number.isNaN(best))) {
                best = x[i];
                at = i;
              }
            }
          }
          output[o + c] = best;
          switches[o + c] = at;
        }
      }
    }
  }
  return { output, switches, shape: [batch, oh, ow, channels] };
}

/**
 * Max-unpooling: `values: Float32Array [N]` (the pooled map, or anything of its shape) scattered into a
 * zero map of `outShape [B, H, W, C]` at `switches: Int32Array [N]` → `Float32Array [B·H·W·C]`.
 * Switches that repeat (not from a pool with disjoint windows) add up, which keeps this the exact adjoint
 * of {@link maxUnpoolBackward}.
 */
export function maxUnpool(values: Float32Array, switches: Int32Array, outShape: readonly number[]): Float32Array {
  const size = nhwcSize(outShape, 'maxUnpool: outShape');
  if (values.length !== switches.length) throw new DetsegInputError(`expected ${switches.length} values (one per switch), got ${values.length}`, { field: 'maxUnpool: values' });
  const out = new Float32Array(size);
  for (let i = 0; i < switches.length; i++) {
    const s = switches[i];
    if (!(s >= 0 && s < size)) throw new DetsegInputError(`switch ${i} = ${s} is outside [0, ${size})`, { field: 'maxUnpool: switches' });
    out[s] += values[i];
  }
  return out;
}

/**
 * Gradient of {@link maxUnpool} with respect to its values: `dy: Float32Array [B·H·W·C]` read at the
 * switches → `Float32Array [N]`. It is also the forward pass of a pool whose winners are the switches.
 */
export function maxUnpoolBackward(dy: Float32Array, switches: Int32Array): Float32Array {
  const out = new Float32Array(switches.length);
  for (let i = 0; i < switches.length; i++) {
    const s = switches[i];
    if (!(s >= 0 && s < dy.length)) throw new DetsegInputError(`switch ${i} = ${s} is outside [0, ${dy.length})`, { field: 'maxUnpoolBackward: switches' });
    out[i] = dy[s];
  }
  return out;
}
