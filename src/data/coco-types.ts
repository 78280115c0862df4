/**
 * The COCO JSON format (http://cocodataset.org/#format-data), as plain types. Readers and writers live
 * in `coco.ts`; evaluation reads these too. The segmentation types are `masks/coco-segmentation.ts`.
 */

import type { CocoRleCompressed, CocoRleUncompressed, CocoSegmentation } from '../masks/coco-segmentation.js';

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
