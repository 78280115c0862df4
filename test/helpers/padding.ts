import { DetsegInputError } from '../../src/util/errors.js';

/**
 * Padding of a 2-D convolution, as tfjs names it: `'valid'` (none), `'same'` (output size
 * ceil(input / stride), the total padding split with the smaller half on top/left), or explicit
 * `[[top, bottom], [left, right]]` in pixels.
 */
export type Padding2d = 'valid' | 'same' | readonly [readonly [number, number], readonly [number, number]];

/** Padding resolved for one spatial axis: pixels added before and after, and the output length. */
export interface AxisPadding {
  before: number;
  after: number;
  /** Output length of the convolution along this axis. */
  outLength: number;
}

/**
 * Resolves the padding of a convolution along one axis. `inLength` is the input length in pixels,
 * `kernel` the kernel size, `stride` and `dilation` ≥ 1; `padding` is `'valid'`, `'same'` or explicit
 * `[before, after]`. The dilated kernel spans `(kernel - 1) * dilation + 1` pixels. Output length:
 * valid `floor((in - span) / stride) + 1`, same `ceil(in / stride)`, explicit
 * `floor((in + before + after - span) / stride) + 1` (never below 0).
 */
export function resolveAxisPadding(inLength: number, kernel: number, stride: number, dilation: number, padding: 'valid' | 'same' | readonly [number, number], field: string): AxisPadding {
  const span = (kernel - 1) * dilation + 1;
  if (padding === 'valid') return { before: 0, after: 0, outLength: Math.max(0, Math.floor((inLength - span) / stride) + 1) };
  if (padding === 'same') {
    const outLength = Math.ceil(inLength / stride);
    const total = Math.max((outLength - 1) * stride + span - inLength, 0);
    const before = Math.floor(total / 2);
    return { before, after: total - before, outLength };
  }
  const [before, after] = padding;
  if (!Number.isInteger(before) || !Number.isInteger(after) || before < 0 || after < 0) {
    throw new DetsegInputError(`explicit padding must be non-negative integers, got [${before}, ${after}]`, { field });
  }
  return { before, after, outLength: Math.max(0, Math.floor((inLength + before + after - span) / stride) + 1) };
}

/** The padding of one axis (0 = rows, 1 = columns) of a {@link Padding2d}. */
export function axisPadding(padding: Padding2d, axis: 0 | 1): 'valid' | 'same' | readonly [number, number] {
  if (padding === 'valid' || padding === 'same') return padding;
  if (!Array.isArray(padding) || padding.length !== 2) throw new DetsegInputError(`expected 'valid', 'same' or [[top, bottom], [left, right]]`, { field: 'padding' });
  return padding[axis];
}
