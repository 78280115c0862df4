import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { writeDirAtomic, writeFileAtomic } from '../util/atomic.js';
import { DetsegInputError } from '../util/errors.js';
import {
  checkPanopticCategories,
  checkSegmentIds,
  imageLabel,
  rgbToSegmentIds,
  segmentExtents,
  segmentIdsToRgb,
  validateCocoPanoptic,
  validatePanopticCategories,
  type CocoPanopticJson,
  type PanopticAnnotation,
  type PanopticCategory,
  type PanopticImageInfo,
  type PanopticSegmentInfo,
} from './coco-panoptic-format.js';
import { readJsonFile } from './json-text.js';

/**
 * COCO panoptic files: a JSON (`images`, `annotations` with `segments_info`, `categories`) and a folder
 * holding one PNG per image whose pixels code segment ids (R + 256·G + 256²·B, 0 = void). The record
 * checks and the colour code are in `coco-panoptic-format.ts`.
 */

/** One image of a panoptic set: its segments and its decoded id map `ids: Uint32Array [H, W]`. */
export interface PanopticImage {
  imageId: number | string;
  fileName: string;
  width: number;
  height: number;
  ids: Uint32Array;
  segments: PanopticSegmentInfo[];
}

/** A whole panoptic set in memory. */
export interface CocoPanoptic {
  json: CocoPanopticJson;
  categories: PanopticCategory[];
  images: PanopticImage[];
}

/**
 * Reads and checks a COCO panoptic JSON file ({@link validateCocoPanoptic}); when `categories` is given
 * (or the file has its own), every segment's category must be one of them.
 */
export function readCocoPanopticJson(file: string, categories?: readonly PanopticCategory[]): CocoPanopticJson {
  const json = validateCocoPanoptic(readJsonFile(file), file);
  const cats = categories ?? json.categories;
  if (cats !== undefined) checkPanopticCategories(json, cats, file);
  return json;
}

/** Reads a categories file: a JSON list of categories, or an object with a `categories` list. */
export function readPanopticCategories(file: string): PanopticCategory[] {
  const value = readJsonFile(file);
  const list = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>).categories : value;
  return validatePanopticCategories(list, file, Array.isArray(value) ? '' : 'categories');
}

/** Throws a {@link DetsegInputError} naming `dir` unless it is an existing folder. */
export function checkFolder(dir: string, what: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    /* reported below */
  }
  if (!isDir) throw new DetsegInputError(`the ${what} folder does not exist`, { file: dir });
}

/**
 * Decodes a panoptic PNG into its id map `Uint32Array [H, W]`. Only 8-bit RGB (or RGBA, alpha ignored)
 * PNGs are accepted: a grey or palette file would decode to colours that do not code the ids.
 */
export async function readPanopticPng(file: string, imageId?: number | string): Promise<{ ids: Uint32Array; width: number; height: number }> {
  const img = imageId === undefined ? '' : `${imageLabel(imageId)}: `;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DetsegInputError(`${img}${code === 'ENOENT' ? 'the segmentation PNG is missing' : `cannot read the segmentation PNG: ${code ?? String(err)}`}`, { file });
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (err) {
    throw new DetsegInputError(`${img}cannot decode the segmentation PNG: ${err instanceof Error ? err.message : String(err)}`, { file });
  }
  if (meta.format !== 'png') throw new DetsegInputError(`${img}a segmentation must be a PNG, got ${meta.format}`, { file });
  const channels = meta.channels ?? 0;
  if (meta.depth !== 'uchar' || channels < 3 || meta.isPalette) {
    throw new DetsegInputError(`${img}a segmentation PNG must be 8-bit RGB (got ${channels} channel(s), ${meta.isPalette ? 'palette' : meta.depth})`, { file });
  }
  try {
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    return { ids: rgbToSegmentIds(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, info.channels), width: info.width, height: info.height };
  } catch (err) {
    throw new DetsegInputError(`${img}cannot decode the segmentation PNG: ${err instanceof Error ? err.message : String(err)}`, { file });
  }
}

/**
 * Reads the PNG of annotation `index` of `json` from `dir` and checks it: its size equals `size` (the
 * `images` entry, or the ground truth's PNG for a prediction) and its ids are exactly those of
 * `segments_info`. Errors name the PNG or the JSON file, the image and the segment.
 */
export async function readPanopticImage(json: CocoPanopticJson, index: number, dir: string, jsonFile?: string, size?: { width: number; height: number; from: string }): Promise<PanopticImage> {
  const ann = json.annotations[index];
  const png = join(dir, ann.file_name);
  const { ids, width, height } = await readPanopticPng(png, ann.image_id);
  if (size && (size.width !== width || size.height !== height)) {
    throw new DetsegInputError(`${imageLabel(ann.image_id)}: the PNG is ${width}×${height}, ${size.from} says ${size.width}×${size.height}`, { file: png });
  }
  checkSegmentIds(ids, ann, { png, json: jsonFile, field: `annotations[${index}].segments_info` });
  return { imageId: ann.image_id, fileName: ann.file_name, width, height, ids, segments: ann.segments_info };
}

/** The `images` entry of each image id of `json`, when it has an `images` list. */
export function imageInfoById(json: CocoPanopticJson): Map<number | string, PanopticImageInfo> {
  return new Map((json.images ?? []).map((im) => [im.id, im]));
}

/**
 * Reads a whole COCO panoptic set: the JSON `jsonFile` and the PNGs of `dir`, every one decoded and
 * checked (see {@link readPanopticImage}). Categories come from `categories` or the JSON's own list
 * (one of them is required). For large sets, read the JSON and then the images one at a time.
 */
export async function readCocoPanoptic(jsonFile: string, dir: string, categories?: readonly PanopticCategory[]): Promise<CocoPanoptic> {
  const json = readCocoPanopticJson(jsonFile, categories);
  const cats = categories ?? json.categories;
  if (cats === undefined) throw new DetsegInputError('no categories list (give one, or a JSON with "categories")', { file: jsonFile, field: 'categories' });
  checkFolder(dir, 'segmentation');
  const info = imageInfoById(json);
  const images: PanopticImage[] = [];
  for (let i = 0; i < json.annotations.length; i++) {
    const im = info.get(json.annotations[i].image_id);
    images.push(await readPanopticImage(json, i, dir, jsonFile, im && { width: im.width, height: im.height, from: `${jsonFile} images` }));
  }
  return { json, categories: [...cats], images };
}

/** A segment to write: its id in the map, category and crowd flag (area and box are computed). */
export interface PanopticSegmentToWrite {
  id: number;
  category_id: number;
  iscrowd?: 0 | 1;
}

/** An image to write: `ids: Uint32Array [H, W]` and the segments it holds. */
export interface PanopticImageToWrite {
  imageId: number | string;
  /** PNG file name in the folder (default `<imageId>.png`, zero-padded to 12 digits for numbers as COCO does). */
  fileName?: string;
  /** Name of the photo for the `images` list (default the PNG's name with `.jpg`). */
  imageFileName?: string;
  width: number;
  height: number;
  ids: Uint32Array;
  segments: PanopticSegmentToWrite[];
}

/** COCO's file stem of an image id: 12 digits for integers. */
function stem(imageId: number | string): string {
  return typeof imageId === 'number' ? String(imageId).padStart(12, '0') : imageId;
}

/**
 * The `annotations` record of one image to write: `segments_info` with area and bbox computed from its
 * id map, checked as the reader checks it (the map's ids are exactly the segments', `known` categories
 * when given). `field` names the image in errors.
 */
export function panopticAnnotation(im: PanopticImageToWrite, known?: ReadonlySet<number>, field = 'images'): PanopticAnnotation {
  if (im.ids.length !== im.width * im.height) throw new DetsegInputError(`${imageLabel(im.imageId)}: ids hold ${im.ids.length} values, not ${im.width}×${im.height}`, { field: `${field}.ids` });
  const fileName = im.fileName ?? `${stem(im.imageId)}.png`;
  const extents = segmentExtents(im.ids, im.width, im.height);
  const seen = new Set<number>();
  const segments_info = im.segments.map((s, k): PanopticSegmentInfo => {
    const where = `${imageLabel(im.imageId)}, segment ${s.id}`;
    if (seen.has(s.id)) throw new DetsegInputError(`${where}: duplicate segment id`, { field: `${field}.segments[${k}]` });
    seen.add(s.id);
    if (known && !known.has(s.category_id)) throw new DetsegInputError(`${where}: unknown category_id ${s.category_id}`, { field: `${field}.segments[${k}]` });
    const e = extents.get(s.id);
    return { id: s.id, category_id: s.category_id, iscrowd: s.iscrowd ?? 0, area: e?.area ?? 0, bbox: e?.bbox ?? [0, 0, 0, 0] };
  });
  const ann: PanopticAnnotation = { image_id: im.imageId, file_name: fileName, segments_info };
  checkSegmentIds(im.ids, ann, { field: `${field}.segments` });
  return ann;
}

/** PNG bytes coding the segment ids `ids: Uint32Array [H, W]` (8-bit RGB, id = R + 256·G + 256²·B). */
export async function encodePanopticPng(ids: Uint32Array, width: number, height: number): Promise<Buffer> {
  const rgb = segmentIdsToRgb(ids);
  return sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/**
 * Writes a COCO panoptic set: `jsonFile` (`images`, `annotations` with `segments_info` holding id,
 * category_id, iscrowd, area and bbox computed from the id maps, `categories`) and the PNGs in `dir`.
 * The input is checked as the reader checks it (ids of each map = its segments, known categories);
 * the folder and the JSON are each written atomically, the folder first. Returns the JSON written.
 */
export async function writeCocoPanoptic(jsonFile: string, dir: string, images: readonly PanopticImageToWrite[], categories: readonly PanopticCategory[]): Promise<CocoPanopticJson> {
  const cats = validatePanopticCategories(categories, undefined, 'categories');
  const known = new Set(cats.map((c) => c.id));
  const annotations = images.map((im, i) => panopticAnnotation(im, known, `images[${i}]`));
  const imageList: PanopticImageInfo[] = images.map((im, i) => ({ id: im.imageId, width: im.width, height: im.height, file_name: im.imageFileName ?? annotations[i].file_name.replace(/\.png$/i, '.jpg') }));
  const json: CocoPanopticJson = { images: imageList, annotations, categories: cats };
  validateCocoPanoptic(json); // unique image ids, valid ids, as on reading
  const names = new Set<string>();
  annotations.forEach((a) => {
    if (names.has(a.file_name)) throw new DetsegInputError(`${imageLabel(a.image_id)}: PNG name ${a.file_name} is used twice`, { field: 'fileName' });
    names.add(a.file_name);
  });
  await writeDirAtomic(dir, async (tmp) => {
    for (let i = 0; i < images.length; i++) writeFileSync(join(tmp, annotations[i].file_name), await encodePanopticPng(images[i].ids, images[i].width, images[i].height));
  });
  writeFileAtomic(jsonFile, `${JSON.stringify(json)}\n`);
  return json;
}
