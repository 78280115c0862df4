/** A COCO segmentation as stored in COCO JSON (http://cocodataset.org/#format-data): polygons or an RLE. */

/** Uncompressed RLE: `counts` are run lengths, column-major, starting with a run of zeros. */
export interface CocoRleUncompressed {
  size: [number, number]; // [height, width]
  counts: number[];
}

/** Compressed RLE: `counts` is pycocotools' LEB128-like string. */
export interface CocoRleCompressed {
  size: [number, number]; // [height, width]
  counts: string;
}

/** A segmentation: polygons (lists of x,y,x,y,…) or an RLE. */
export type CocoSegmentation = number[][] | CocoRleUncompressed | CocoRleCompressed;
