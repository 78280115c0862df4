import { DetsegInputError } from '../util/errors.js';
import type { CocoSegmentation } from '../masks/coco-segmentation.js';
import { rleArea, rleToBbox, type Rle } from '../masks/rle.js';
import { segmentationToRle } from '../masks/polygon.js';

/**
 * Ground truth and detections of a COCO evaluation in flat typed arrays (one entry per annotation), after
 * the checks and conversions of pycocotools' `COCO()` and `COCO.loadRes`. Every field a record lacks or
 * holds wrongly is reported with the file, the record index and the field, before anything is evaluated.
 */

/** Annotations (ground truth or detections) as parallel arrays `[N]` (boxes `[N,4]` xywh, pixels). */
export interface CocoAnnotationTable {
  /** Number of annotations. */
  count: number;
  /** Annotation ids (detections: 1..N, as `loadRes` assigns). */
  id: Float64Array;
  imageId: Float64Array;
  categoryId: Float64Array;
  /** Area in pixels² (ground truth: the file's `area`; detections: box w·h, or the mask area). */
  area: Float64Array;
  /** 1 for crowd ground truth; always 0 for detections. */
  iscrowd: Uint8Array;
  /** Boxes `[N,4]` xywh in pixels. */
  bbox: Float64Array;
  /** Scores (detections only; 0 for ground truth). */
  score: Float64Array;
  /** Segmentations as given (polygons or RLE), or undefined; turned into RLEs on demand by {@link annotationRle}. */
  segmentation: Array<CocoSegmentation | undefined>;
  /** RLE cache for `segm` evaluation, filled by {@link annotationRle}. */
  rle: Array<Rle | undefined>;
  /** The file the annotations came from, for error messages raised later (rasterizing a mask). */
  file?: string;
}

/** A ground-truth file after indexing. */
export interface CocoGroundTruth {
  file?: string;
  /** Image id → [height, width]. */
  imageSize: Map<number, [number, number]>;
  /** Image ids, in file order. */
  imageIds: number[];
  /** Category id → name. */
  categoryName: Map<number, string>;
  /** Category ids, in file order. */
  categoryIds: number[];
  annotations: CocoAnnotationTable;
}

function emptyTable(n: number): CocoAnnotationTable {
  return {
    count: n,
    id: new Float64Array(n),
    imageId: new Float64Array(n),
    categoryId: new Float64Array(n),
    area: new Float64Array(n),
    iscrowd: new Uint8Array(n),
    bbox: new Float64Array(4 * n),
    score: new Float64Array(n),
    segmentation: new Array(n),
    rle: new Array(n),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finiteNumber(rec: Record<string, unknown>, key: string, file: string | undefined, where: string): number {
  const v = rec[key];
  if (v === undefined) throw new DetsegInputError(`missing field "${key}"`, { file, field: `${where}.${key}` });
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DetsegInputError(`must be a finite number, got ${JSON.stringify(v)}`, { file, field: `${where}.${key}` });
  return v;
}

function readBox(rec: Record<string, unknown>, out: Float64Array, i: number, file: string | undefined, where: string): void {
  const b = rec.bbox;
  const field = `${where}.bbox`;
  if (!Array.isArray(b)) throw new DetsegInputError(b === undefined ? 'missing field "bbox"' : `must be a list [x, y, width, height], got ${JSON.stringify(b)}`, { file, field });
  if (b.length !== 4) throw new DetsegInputError(`must hold 4 numbers [x, y, width, height], got ${b.length}`, { file, field });
  for (let j = 0; j < 4; j++) {
    if (typeof b[j] !== 'number' || !Number.isFinite(b[j])) throw new DetsegInputError(`value ${j} is not a finite number (${JSON.stringify(b[j])})`, { file, field });
    out[4 * i + j] = b[j];
  }
  if (b[2] < 0 || b[3] < 0) throw new DetsegInputError(`width and height must be ≥ 0, got ${JSON.stringify(b)}`, { file, field });
}

/**
 * Checks and indexes a COCO ground-truth dataset (parsed JSON). `images` need `id`, `height`, `width`;
 * `categories` need `id` (and `name`); annotations need `id`, `image_id` (a listed image), `category_id`,
 * `area`, `iscrowd`, and `bbox` (for `bbox`) or `segmentation` (for `segm`, an RLE of the image's size).
 */
export function indexGroundTruth(data: unknown, iouType: 'bbox' | 'segm', file?: string): CocoGroundTruth {
  if (!isObject(data)) throw new DetsegInputError('expected a COCO dataset object {images, annotations, categories}', { file });
  const images = data.images;
  const categories = data.categories;
  const anns = data.annotations;
  if (!Array.isArray(images)) throw new DetsegInputError('missing or not a list', { file, field: 'images' });
  if (!Array.isArray(categories)) throw new DetsegInputError('missing or not a list', { file, field: 'categories' });
  if (!Array.isArray(anns)) throw new DetsegInputError('missing or not a list', { file, field: 'annotations' });
  const imageSize = new Map<number, [number, number]>();
  const imageIds: number[] = [];
  images.forEach((img, i) => {
    const where = `images[${i}]`;
    if (!isObject(img)) throw new DetsegInputError('expected an object', { file, field: where });
    const id = finiteNumber(img, 'id', file, where);
    const h = finiteNumber(img, 'height', file, where);
    const w = finiteNumber(img, 'width', file, where);
    if (!(h > 0)) throw new DetsegInputError(`must be a positive number, got ${h}`, { file, field: `${where}.height` });
    if (!(w > 0)) throw new DetsegInputError(`must be a positive number, got ${w}`, { file, field: `${where}.width` });
    // masks are rasterized with 32-bit run positions (as pycocotools' RLEs)
    if (iouType === 'segm' && !(Number.isInteger(h) && Number.isInteger(w) && h * w <= 0xffffffff)) {
      throw new DetsegInputError(`segm evaluation needs whole-pixel sizes with height×width < 2^32, got ${h}×${w}`, { file, field: where });
    }
    if (!imageSize.has(id)) imageIds.push(id);
    imageSize.set(id, [h, w]);
  });
  const categoryName = new Map<number, string>();
  const categoryIds: number[] = [];
  categories.forEach((cat, i) => {
    const where = `categories[${i}]`;
    if (!isObject(cat)) throw new DetsegInputError('expected an object', { file, field: where });
    const id = finiteNumber(cat, 'id', file, where);
    if (!categoryName.has(id)) categoryIds.push(id);
    categoryName.set(id, typeof cat.name === 'string' ? cat.name : String(id));
  });
  const table = emptyTable(anns.length);
  anns.forEach((ann, i) => {
    const where = `annotations[${i}]`;
    if (!isObject(ann)) throw new DetsegInputError('expected an object', { file, field: where });
    table.id[i] = finiteNumber(ann, 'id', file, where);
    const imageId = finiteNumber(ann, 'image_id', file, where);
    const size = imageSize.get(imageId);
    if (!size) throw new DetsegInputError(`image ${imageId} is not listed in "images"`, { file, field: `${where}.image_id` });
    table.imageId[i] = imageId;
    table.categoryId[i] = finiteNumber(ann, 'category_id', file, where);
    table.area[i] = finiteNumber(ann, 'area', file, where);
    if (table.area[i] < 0) throw new DetsegInputError(`must be ≥ 0, got ${table.area[i]}`, { file, field: `${where}.area` });
    table.iscrowd[i] = finiteNumber(ann, 'iscrowd', file, where) ? 1 : 0;
    if (iouType === 'bbox') readBox(ann, table.bbox, i, file, where);
    else {
      if (ann.segmentation === undefined) throw new DetsegInputError('missing field "segmentation" (needed for segm evaluation)', { file, field: `${where}.segmentation` });
      table.segmentation[i] = ann.segmentation as CocoSegmentation;
      checkRleSize(ann.segmentation, size, file, `${where}.segmentation`);
    }
  });
  return { file, imageSize, imageIds, categoryName, categoryIds, annotations: table };
}

function checkRleSize(seg: unknown, size: [number, number], file: string | undefined, field: string): void {
  if (!isObject(seg)) return;
  const s = seg.size;
  if (!Array.isArray(s) || s.length !== 2 || s[0] !== size[0] || s[1] !== size[1]) {
    throw new DetsegInputError(`RLE size ${JSON.stringify(s)} disagrees with the image's [height, width] = [${size[0]}, ${size[1]}]`, { file, field: `${field}.size` });
  }
}

/**
 * The RLE of annotation `i` for `segm` evaluation (pycocotools' `annToRLE`: polygons rasterized at the
 * image's size and merged, RLEs decoded), computed once and cached in the table.
 */
export function annotationRle(table: CocoAnnotationTable, i: number, gt: CocoGroundTruth, file: string | undefined, kind: 'annotations' | 'results'): Rle {
  const cached = table.rle[i];
  if (cached) return cached;
  const seg = table.segmentation[i];
  const size = gt.imageSize.get(table.imageId[i])!;
  const field = `${kind}[${i}].segmentation`;
  if (seg === undefined) throw new DetsegInputError('missing field "segmentation"', { file, field });
  let rle: Rle;
  try {
    rle = segmentationToRle(seg, size[0], size[1], field);
  } catch (err) {
    if (err instanceof DetsegInputError && err.file === undefined && file !== undefined) throw new DetsegInputError(err.message, { file });
    throw err;
  }
  table.rle[i] = rle;
  return rle;
}

/**
 * Checks detection results (parsed JSON list) against the ground truth and builds their table as
 * pycocotools' `loadRes`: ids 1..N in file order, `iscrowd = 0`; when the first result has a non-empty
 * `bbox`, every result's area is its box's w·h (and a missing segmentation becomes the box's polygon);
 * otherwise results carry RLE `segmentation`s, whose pixel count is the area and whose tight box is the
 * `bbox` when none is given. Every result must name an image and a category of the ground truth and hold a
 * finite `score`. A dataset object `{annotations: [...]}` is read as its annotation list.
 */
export function loadResults(data: unknown, gt: CocoGroundTruth, iouType: 'bbox' | 'segm', file?: string): CocoAnnotationTable {
  // a COCO dataset object whose annotations carry scores is read as its annotation list (pycocotools needs the list)
  if (isObject(data) && Array.isArray(data.annotations)) data = data.annotations;
  if (!Array.isArray(data)) throw new DetsegInputError('expected a JSON list of results (or a dataset object with an "annotations" list)', { file });
  const n = data.length;
  const table = emptyTable(n);
  table.file = file;
  if (n === 0) return table;
  const first = data[0];
  const boxMode = isObject(first) && Array.isArray(first.bbox) && first.bbox.length > 0;
  for (let i = 0; i < n; i++) {
    const rec = data[i];
    const where = `results[${i}]`;
    if (!isObject(rec)) throw new DetsegInputError('expected an object', { file, field: where });
    const imageId = finiteNumber(rec, 'image_id', file, where);
    const size = gt.imageSize.get(imageId);
    if (!size) throw new DetsegInputError(`image ${imageId} is not in the ground truth`, { file, field: `${where}.image_id` });
    const categoryId = finiteNumber(rec, 'category_id', file, where);
    if (!gt.categoryName.has(categoryId)) throw new DetsegInputError(`category ${categoryId} is not in the ground truth`, { file, field: `${where}.category_id` });
    table.imageId[i] = imageId;
    table.categoryId[i] = categoryId;
    table.score[i] = finiteNumber(rec, 'score', file, where);
    table.id[i] = i + 1;
    if (boxMode) {
      readBox(rec, table.bbox, i, file, where);
      table.area[i] = table.bbox[4 * i + 2] * table.bbox[4 * i + 3];
      if (iouType === 'segm') {
        if (rec.segmentation !== undefined) {
          checkRleSize(rec.segmentation, size, file, `${where}.segmentation`);
          table.segmentation[i] = rec.segmentation as CocoSegmentation;
        } else {
          const x1 = table.bbox[4 * i], y1 = table.bbox[4 * i + 1];
          const x2 = x1 + table.bbox[4 * i + 2], y2 = y1 + table.bbox[4 * i + 3];
          table.segmentation[i] = [[x1, y1, x1, y2, x2, y2, x2, y1]];
        }
      }
    } else {
      if (rec.segmentation === undefined) throw new DetsegInputError('missing field "segmentation" (the first result has no bbox, so every result needs a segmentation)', { file, field: `${where}.segmentation` });
      checkRleSize(rec.segmentation, size, file, `${where}.segmentation`);
      table.segmentation[i] = rec.segmentation as CocoSegmentation;
      const rle = annotationRle(table, i, gt, file, 'results');
      table.area[i] = rleArea(rle);
      // a given box is kept (pycocotools keeps it); none, or an empty one, becomes the mask's tight box
      if (rec.bbox !== undefined && !(Array.isArray(rec.bbox) && rec.bbox.length === 0)) readBox(rec, table.bbox, i, file, where);
      else rleToBbox(rle, table.bbox, 4 * i);
    }
  }
  return table;
}
