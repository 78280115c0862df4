import { DetsegInputError } from '../../src/util/errors.js';
import { validateInteger, validateNhwc, type NhwcShape } from '../../src/ops/nhwc.js';
import { axisPadding, resolveAxisPadding, type Padding2d } from './padding.js';

/** Options of {@link conv2d} and {@link conv2dTranspose}. */
export interface Conv2dOptions {
  /** Stride `[rows, columns]` or one number for both (default 1). */
  strides?: number | readonly [number, number];
  /** `'valid'` (default), `'same'`, or explicit `[[top, bottom], [left, right]]`. */
  padding?: Padding2d;
  /** Dilation of the kernel `[rows, columns]` or one number for both (default 1). */
  dilations?: number | readonly [number, number];
}

/** A 4-D tensor as a flat array and its shape. */
export interface Tensor4 {
  data: Float32Array;
  shape: NhwcShape;
}

/** Geometry of a convolution resolved from its input size, kernel size and options. */
export interface ConvGeometry {
  strideY: number;
  strideX: number;
  dilationY: number;
  dilationX: number;
  padTop: number;
  padLeft: number;
  outHeight: number;
  outWidth: number;
}

function pair(value: number | readonly [number, number] | undefined, field: string): [number, number] {
  const p: [number, number] = value === undefined ? [1, 1] : typeof value === 'number' ? [value, value] : [value[0], value[1]];
  validateInteger(p[0], 1, field);
  validateInteger(p[1], 1, field);
  return p;
}

/**
 * Resolves strides, dilations and padding of a convolution whose input is `inHeight × inWidth` and
 * whose kernel is `kernelHeight × kernelWidth` (see {@link resolveAxisPadding} for the sizes).
 */
export function convGeometry(inHeight: number, inWidth: number, kernelHeight: number, kernelWidth: number, options: Conv2dOptions): ConvGeometry {
  const [strideY, strideX] = pair(options.strides, 'strides');
  const [dilationY, dilationX] = pair(options.dilations, 'dilations');
  const padding = options.padding ?? 'valid';
  const rows = resolveAxisPadding(inHeight, kernelHeight, strideY, dilationY, axisPadding(padding, 0), 'padding');
  const cols = resolveAxisPadding(inWidth, kernelWidth, strideX, dilationX, axisPadding(padding, 1), 'padding');
  return { strideY, strideX, dilationY, dilationX, padTop: rows.before, padLeft: cols.before, outHeight: rows.outLength, outWidth: cols.outLength };
}

/**
 * Naive direct 2-D convolution (cross-correlation, as in every deep-learning library), written as the
 * definition — a reference to check fast kernels against, not a fast kernel:
 *
 *   out[n, i, j, o] = Σ_{a, b, c} x[n, i·sy + a·dy − top, j·sx + b·dx − left, c] · w[a, b, c, o]
 *
 * with out-of-range input pixels read as 0.
 * `input: Float32Array [N, H, W, inC]` with `inputShape`, `filter: Float32Array [kh, kw, inC, outC]`
 * with `filterShape` (tfjs' layout) → `Float32Array [N, outH, outW, outC]` (sums in double precision).
 */
export function conv2d(input: Float32Array, inputShape: readonly number[], filter: Float32Array, filterShape: readonly number[], options: Conv2dOptions = {}): Tensor4 {
  const [n, h, w, inC] = validateNhwc(input, inputShape, 'input');
  const [kh, kw, fInC, outC] = validateNhwc(filter, filterShape, 'filter');
  if (fInC !== inC) throw new DetsegInputError(`filter has ${fInC} input channels but the input has ${inC}`, { field: 'filter' });
  const g = convGeometry(h, w, kh, kw, options);
  const out = new Float32Array(n * g.outHeight * g.outWidth * outC);
  const acc = new Float64Array(outC);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < g.outHeight; i++) {
      for (let j = 0; j < g.outWidth; j++) {
        acc.fill(0);
        for (let a = 0; a < kh; a++) {
          const y = i * g.strideY + a * g.dilationY - g.padTop;
          if (y < 0 || y >= h) continue;
          for (let bx = 0; bx < kw; bx++) {
            const x = j * g.strideX + bx * g.dilationX - g.padLeft;
            if (x < 0 || x >= w) continue;
            const inBase = ((b * h + y) * w + x) * inC; // x[b, y, x, :]
            for (let c = 0; c < inC; c++) {
              const v = input[inBase + c];
              const fBase = ((a * kw + bx) * inC + c) * outC; // w[a, bx, c, :]
              for (let o = 0; o < outC; o++) acc[o] += v * filter[fBase + o];
            }
          }
        }
        out.set(acc, ((b * g.outHeight + i) * g.outWidth + j) * outC);
      }
    }
  }
  return { data: out, shape: [n, g.outHeight, g.outWidth, outC] };
}
