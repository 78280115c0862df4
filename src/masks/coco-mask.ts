import type { CocoRleCompressed, CocoSegmentation } from './coco-segmentation.js';
import { segmentationToRle } from './polygon.js';
import { decodeRle, encodeMask } from './rle.js';
import { countsToString } from './rle-string.js';

/**
 * Row-major masks (`Uint8Array [H, W]`, as images and models hold them) to and from COCO
 * segmentations, whose runs go column-major.
 */

/**
 * COCO compressed RLE of a row-major mask `Uint8Array [H, W]` (COCO runs go column-major, so the mask
 * is transposed first; `scratch` may be passed to avoid an allocation per mask).
 */
export function maskToCocoRle(mask: Uint8Array, width: number, height: number, scratch = new Uint8Array(width * height)): CocoRleCompressed {
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) scratch[x * height + y] = mask[y * width + x];
  const rle = encodeMask(scratch, height, width);
  return { size: [height, width], counts: countsToString(rle.counts) };
}

/**
 * Row-major instance mask `Uint8Array [H, W]` of a COCO segmentation (polygons or RLE), rasterized
 * with pycocotools' rules by `src/masks` (whose masks are column-major).
 */
export function segmentationMask(seg: CocoSegmentation, width: number, height: number, field = 'segmentation'): Uint8Array {
  const colMajor = decodeRle(segmentationToRle(seg, height, width, field)); // [W, H]
  const mask = new Uint8Array(width * height); // [H, W]
  for (let x = 0; x < width; x++) for (let y = 0; y < height; y++) mask[y * width + x] = colMajor[x * height + y];
  return mask;
}
