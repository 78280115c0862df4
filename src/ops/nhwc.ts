import { DetsegInputError } from '../util/errors.js';

/**
 * Shape of a 4-D tensor in NHWC layout: `[batch, height, width, channels]`. The element at
 * (n, y, x, c) of a flat `Float32Array` lies at `((n * height + y) * width + x) * channels + c`, so
 * the channels of one pixel are contiguous.
 */
export type NhwcShape = readonly [batch: number, height: number, width: number, channels: number];

/**
 * Checks that `shape` holds four non-negative integers and that `data` has exactly their product of
 * elements. Throws a {@link DetsegInputError} naming `field`. Returns the shape as a tuple.
 */
export function validateNhwc(data: ArrayLike<number>, shape: readonly number[], field: string): NhwcShape {
  const size = nhwcSize(shape, field);
  if (data.length !== size) {
    throw new DetsegInputError(`expected ${size} elements for shape [${shape.join(', ')}], got an array of length ${data.length}`, { field });
  }
  return [shape[0], shape[1], shape[2], shape[3]];
}

/**
 * Checks that `shape` holds four non-negative integers `[batch, height, width, channels]` and returns
 * their product, the number of elements. Throws a {@link DetsegInputError} naming `field`.
 */
export function nhwcSize(shape: readonly number[], field: string): number {
  if (shape.length !== 4) throw new DetsegInputError(`expected a shape [batch, height, width, channels], got [${shape.join(', ')}]`, { field });
  for (let i = 0; i < 4; i++) {
    if (!Number.isInteger(shape[i]) || shape[i] < 0) {
      throw new DetsegInputError(`shape [${shape.join(', ')}] has a dimension that is not a non-negative integer`, { field });
    }
  }
  return shape[0] * shape[1] * shape[2] * shape[3];
}

/** Checks that `value` is an integer ≥ `min`; throws a {@link DetsegInputError} naming `field`. */
export function validateInteger(value: number, min: number, field: string): void {
  if (!Number.isInteger(value) || value < min) throw new DetsegInputError(`must be an integer ≥ ${min}, got ${value}`, { field });
}

/**
 * Checks a caller's output buffer: undefined (a new array will be made) or exactly `length` elements.
 * Throws a {@link DetsegInputError} naming `field` otherwise.
 */
export function validateOut(out: ArrayLike<number> | undefined, length: number, field: string): void {
  if (out !== undefined && out.length !== length) throw new DetsegInputError(`expected a buffer of ${length} elements, got ${out.length}`, { field });
}
