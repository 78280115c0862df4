import { DetsegInputError } from '../util/errors.js';

/**
 * Copies the `size × size` window whose top-left corner is (row0, col0) out of a row-major image
 * `[height, width]`, optionally mirrored left–right, into `out` at `offset`. The window must lie inside.
 */
export function cropInto(src: ArrayLike<number>, width: number, row0: number, col0: number, size: number, flip: boolean, out: Float32Array, offset: number): void {
  for (let r = 0; r < size; r++) {
    const s = (row0 + r) * width + col0;
    const o = offset + r * size;
    if (flip) for (let c = 0; c < size; c++) out[o + c] = src[s + size - 1 - c];
    else for (let c = 0; c < size; c++) out[o + c] = src[s + c];
  }
}

/** Top-left corner of the centre `crop` window of a `height × width` image. */
export function centreCropOrigin(height: number, width: number, crop: number): [number, number] {
  if (crop > height || crop > width) throw new DetsegInputError(`crop ${crop} larger than the ${height}×${width} image`, { field: 'crop' });
  return [(height - crop) >> 1, (width - crop) >> 1];
}
