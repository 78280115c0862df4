/**
 * The COCO JSON format (http://cocodataset.org/#format-data), as plain types. Readers and writers live
 * in `coco.ts`; evaluation reads these too.
 */

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

export interface CocoImage {
  id: number;
  width: number;
  height: number;
  file_name: string;
  [extra: string]: unknown;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
  [extra: string]: unknown;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  /** [x, y, width, height] in pixels. */
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0 | 1;
  segmentation?: CocoSegmentation;
  [extra: string]: unknown;
}

/** A whole COCO annotation file. */
export interface CocoDataset {
  info?: Record<string, unknown>;
  licenses?: unknown[];
  images: CocoImage[];
  categories: CocoCategory[];
  annotations: CocoAnnotation[];
}

/** One detection result, as in a COCO results file (a JSON list of these). */
export interface CocoResult {
  image_id: number;
  category_id: number;
  score: number;
  bbox?: [number, number, number, number];
  segmentation?: CocoRleUncompressed | CocoRleCompressed | number[][];
  [extra: string]: unknown;
}
