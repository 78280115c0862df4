import { DetsegInputError } from '../util/errors.js';

/**
 * Regions of interest for RoI Pool / RoI Align: `Float32Array [K,5]`, one row per region holding
 * (batch index, x1, y1, x2, y2), the corners in image pixels (torchvision's `rois` Tensor[K, 5]). The
 * batch index picks the image of the feature map; the spatial scale maps image pixels to feature-map
 * cells. As in torchvision, x2 < x1 is accepted (RoI Pool treats such a region as one cell, RoI Align
 * as empty or at least one cell wide, see each op).
 */
export type RoiArray = Float32Array;

/**
 * Checks that `rois` holds whole rows of 5 finite numbers whose batch index is an integer in
 * [0, batchSize). Throws a {@link DetsegInputError} naming `field` and the first bad row. Returns K.
 */
export function validateRois(rois: ArrayLike<number>, batchSize: number, field = 'rois'): number {
  if (rois.length % 5 !== 0) throw new DetsegInputError(`expected 5 numbers per RoI (batch index, x1, y1, x2, y2), got an array of length ${rois.length}`, { field });
  const k = rois.length / 5;
  for (let i = 0; i < k; i++) {
    const b = rois[5 * i];
    for (let j = 0; j < 5; j++) {
      if (!Number.isFinite(rois[5 * i + j])) {
        throw new DetsegInputError(`RoI ${i} has a non-finite value [${Array.from({ length: 5 }, (_, q) => rois[5 * i + q]).join(', ')}]`, { field });
      }
    }
    if (!Number.isInteger(b) || b < 0 || b >= batchSize) {
      throw new DetsegInputError(`RoI ${i} has batch index ${b}, expected an integer in [0, ${batchSize})`, { field });
    }
  }
  return k;
}

/** Options shared by RoI Pool and RoI Align: the output grid and the image-to-feature-map scale. */
export interface RoiGridOptions {
  /** Rows of the output grid (torchvision's output_size[0]). */
  outHeight: number;
  /** Columns of the output grid (output_size[1]). */
  outWidth: number;
  /** Feature-map cells per image pixel, e.g. 1/16 for a stride-16 backbone. */
  spatialScale: number;
}

/** Checks the output grid (positive integers) and the spatial scale (finite, > 0). */
export function validateRoiGrid(options: RoiGridOptions): void {
  for (const key of ['outHeight', 'outWidth'] as const) {
    const v = options[key];
    if (!Number.isInteger(v) || v < 1) throw new DetsegInputError(`must be a positive integer, got ${v}`, { field: key });
  }
  if (!(Number.isFinite(options.spatialScale) && options.spatialScale > 0)) {
    throw new DetsegInputError(`must be a finite number > 0, got ${options.spatialScale}`, { field: 'spatialScale' });
  }
}
