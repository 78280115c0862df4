import { DetsegInputError } from '../../src/util/errors.js';
import { convGeometry, type Conv2dOptions, type Tensor4 } from './conv2d.js';
import { validateInteger, validateNhwc } from '../../src/ops/nhwc.js';

/** Options of {@link conv2dTranspose}: those of the convolution it transposes, and its output size. */
export interface Conv2dTransposeOptions extends Conv2dOptions {
  /**
   * Output `[height, width]`. With stride > 1 several sizes map onto the same input size under the
   * forward convolution; the default is the largest of them for `'valid'` and explicit padding
   * (`(in − 1)·stride + span − before − after`) and `in · stride` for `'same'`, as tfjs and Keras do.
   */
  outputSize?: readonly [number, number];
}

function defaultOutLength(inLength: number, kernel: number, stride: number, dilation: number, padding: Conv2dOptions['padding'], axis: 0 | 1): number {
  const span = (kernel - 1) * dilation + 1;
  if (padding === undefined || padding === 'valid') return (inLength - 1) * stride + span;
  if (padding === 'same') return inLength * stride;
  const [before, after] = padding[axis];
  return (inLength - 1) * stride + span - before - after;
}

/**
 * Naive 2-D transposed convolution ("deconvolution", the gradient of {@link conv2d} with respect to its
 * input), written as a scatter — a reference, not a fast kernel. Each input pixel spreads its channels
 * through the kernel onto the output:
 *
 *   out[n, i·sy + a·dy − top, j·sx + b·dx − left, o] += x[n, i, j, c] · w[a, b, o, c]
 *
 * (contributions that fall outside the output are dropped; the kernel is not flipped). The padding
 * `top`/`left` is that of the forward convolution from the output size back to the input size, so
 * this is the exact adjoint: ⟨conv2d(z, w), x⟩ = ⟨z, conv2dTranspose(x, w)⟩.
 * `input: Float32Array [N, H, W, inC]`, `filter: Float32Array [kh, kw, outC, inC]` (tfjs'
 * conv2dTranspose layout) → `Float32Array [N, outH, outW, outC]` (sums in double precision).
 */
export function conv2dTranspose(input: Float32Array, inputShape: readonly number[], filter: Float32Array, filterShape: readonly number[], options: Conv2dTransposeOptions = {}): Tensor4 {
  const [n, h, w, inC] = validateNhwc(input, inputShape, 'input');
  const [kh, kw, outC, fInC] = validateNhwc(filter, filterShape, 'filter');
  if (fInC !== inC) throw new DetsegInputError(`filter has ${fInC} input channels (its last axis) but the input has ${inC}`, { field: 'filter' });
  // Resolve strides/dilations first (validates them), then the output size.
  const probe = convGeometry(1, 1, 1, 1, { strides: options.strides, dilations: options.dilations });
  const outH = options.outputSize?.[0] ?? defaultOutLength(h, kh, probe.strideY, probe.dilationY, options.padding, 0);
  const outW = options.outputSize?.[1] ?? defaultOutLength(w, kw, probe.strideX, probe.dilationX, options.padding, 1);
  validateInteger(outH, 0, 'outputSize');
  validateInteger(outW, 0, 'outputSize');
  // The forward convolution maps [outH, outW] back to [h, w]; its padding places the scatter.
  const g = convGeometry(outH, outW, kh, kw, options);
  if (g.outHeight !== h || g.outWidth !== w) {
    throw new DetsegInputError(`output ${outH}×${outW} does not convolve back to the input ${h}×${w} with these strides and padding (it gives ${g.outHeight}×${g.outWidth})`, { field: 'outputSize' });
  }
  const acc = new Float64Array(n * outH * outW * outC);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const inBase = ((b * h + i) * w + j) * inC; // x[b, i, j, :]
        for (let a = 0; a < kh; a++) {
          const y = i * g.strideY + a * g.dilationY - g.padTop;
          if (y < 0 || y >= outH) continue;
          for (let bx = 0; bx < kw; bx++) {
            const x = j * g.strideX + bx * g.dilationX - g.padLeft;
            if (x < 0 || x >= outW) continue;
            const outBase = ((b * outH + y) * outW + x) * outC; // out[b, y, x, :]
            for (let o = 0; o < outC; o++) {
              const fBase = ((a * kw + bx) * outC + o) * inC; // w[a, bx, o, :]
              let s = 0;
              for (let c = 0; c < inC; c++) s += input[inBase + c] * filter[fBase + c];
              acc[outBase + o] += s;
            }
          }
        }
      }
    }
  }
  return { data: Float32Array.from(acc), shape: [n, outH, outW, outC] };
}
