import { DetsegInputError } from './errors.js';

/**
 * Resource limits on a single input. An image's pixel count is read from its header and checked before
 * anything is decoded: a small compressed file (a 750 KB PNG of 16000×16000) would otherwise decode to
 * gigabytes and the network run on it to many more.
 */

/**
 * Default largest image, in pixels (2048×2048). At this size the heaviest command (U-Net or Mask R-CNN
 * prediction on the whole image) peaks under 2 GB of memory; the cost grows about linearly with pixels.
 */
export const DEFAULT_MAX_PIXELS = 2048 * 2048;

/**
 * Throws a {@link DetsegInputError} naming `where` (file and option) when a `width`×`height` image has
 * more than `maxPixels` pixels; `option` is how a user raises the limit.
 */
export function checkPixelLimit(width: number, height: number, maxPixels: number, where: { file?: string; field?: string }, option = 'maxPixels'): void {
  if (width * height > maxPixels) {
    throw new DetsegInputError(`image of ${width}×${height} = ${width * height} pixels is larger than the limit of ${maxPixels} pixels (raise it with ${option})`, where);
  }
}
