import { DetsegInputError } from '../util/errors.js';

/**
 * The COCO panoptic format, without files: its JSON records (checked here), the PNG colour ↔ segment id
 * code, and the check that an id map and its `segments_info` list the same segments. The files
 * themselves are read and written by `coco-panoptic.ts`.
 *
 * A panoptic PNG is 8-bit RGB; a pixel's segment id is R + 256·G + 256²·B, and id 0 is void (no label).
 */

/** Segment id 0: unlabeled pixels (VOID). */
export const PANOPTIC_VOID = 0;
/** Largest segment id an RGB pixel can hold (256³ − 1). */
export const PANOPTIC_MAX_ID = 0xffffff;

/** A category: `isthing` 1 for countable objects (things), 0 for amorphous regions (stuff). */
export interface PanopticCategory {
  id: number;
  name: string;
  isthing: 0 | 1;
  color?: [number, number, number];
  supercategory?: string;
}

/** One segment of an image: `bbox` is `[x, y, width, height]` in pixels, width = x_max − x_min + 1. */
export interface PanopticSegmentInfo {
  id: number;
  category_id: number;
  iscrowd: 0 | 1;
  area?: number;
  bbox?: [number, number, number, number];
}

/** The segments of one image and the name of its PNG (in the segmentation folder). */
export interface PanopticAnnotation {
  image_id: number | string;
  file_name: string;
  segments_info: PanopticSegmentInfo[];
}

/** An entry of the optional `images` list. */
export interface PanopticImageInfo {
  id: number | string;
  width: number;
  height: number;
  file_name?: string;
}

/** A COCO panoptic JSON: `annotations` always; `images` and `categories` in ground truth. */
export interface CocoPanopticJson {
  images?: PanopticImageInfo[];
  annotations: PanopticAnnotation[];
  categories?: PanopticCategory[];
}

type Where = { file?: string; field?: string };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isImageId = (v: unknown): v is number | string => Number.isInteger(v) || (typeof v === 'string' && v !== '');

/** "image 42" or "image 'frankfurt_000000'", for messages. */
export function imageLabel(imageId: number | string): string {
  return typeof imageId === 'number' ? `image ${imageId}` : `image '${imageId}'`;
}

/**
 * Checks a categories list (`categories` of a panoptic JSON, or a file holding only the list): ids
 * unique integers, `name` a string, `isthing` 0 or 1, `color` (optional) three integers 0..255.
 */
export function validatePanopticCategories(value: unknown, file?: string, field = 'categories'): PanopticCategory[] {
  if (!Array.isArray(value)) throw new DetsegInputError(`must be a list (got ${value === undefined ? 'nothing' : typeof value})`, { file, field });
  const seen = new Set<number>();
  return value.map((raw, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(raw)) throw new DetsegInputError('must be an object', { file, field: f });
    if (!Number.isInteger(raw.id)) throw new DetsegInputError(`id must be an integer, got ${JSON.stringify(raw.id)}`, { file, field: `${f}.id` });
    const id = raw.id as number;
    if (seen.has(id)) throw new DetsegInputError(`duplicate category id ${id}`, { file, field: `${f}.id` });
    seen.add(id);
    if (typeof raw.name !== 'string') throw new DetsegInputError(`category ${id}: name must be a string`, { file, field: `${f}.name` });
    if (raw.isthing !== 0 && raw.isthing !== 1) throw new DetsegInputError(`category ${id}: isthing must be 0 or 1, got ${JSON.stringify(raw.isthing)}`, { file, field: `${f}.isthing` });
    if (raw.color !== undefined && !(Array.isArray(raw.color) && raw.color.length === 3 && raw.color.every((c) => Number.isInteger(c) && c >= 0 && c <= 255))) {
      throw new DetsegInputError(`category ${id}: color must be three integers 0..255`, { file, field: `${f}.color` });
    }
    return raw as unknown as PanopticCategory;
  });
}

function validateSegment(raw: unknown, imageId: number | string, seen: Set<number>, where: Required<Where>): PanopticSegmentInfo {
  const { file, field } = where;
  const img = imageLabel(imageId);
  if (!isObject(raw)) throw new DetsegInputError(`${img}: a segment must be an object`, { file, field });
  const id = raw.id;
  if (!Number.isInteger(id) || (id as number) < 1 || (id as number) > PANOPTIC_MAX_ID) {
    throw new DetsegInputError(`${img}: segment id must be an integer in 1..${PANOPTIC_MAX_ID} (0 is void), got ${JSON.stringify(id)}`, { file, field: `${field}.id` });
  }
  const seg = `${img}, segment ${id}`;
  if (seen.has(id as number)) throw new DetsegInputError(`${seg}: duplicate segment id`, { file, field: `${field}.id` });
  seen.add(id as number);
  if (!Number.isInteger(raw.category_id)) throw new DetsegInputError(`${seg}: category_id must be an integer, got ${JSON.stringify(raw.category_id)}`, { file, field: `${field}.category_id` });
  if (raw.iscrowd !== undefined && raw.iscrowd !== 0 && raw.iscrowd !== 1) throw new DetsegInputError(`${seg}: iscrowd must be 0 or 1, got ${JSON.stringify(raw.iscrowd)}`, { file, field: `${field}.iscrowd` });
  if (raw.area !== undefined && !(typeof raw.area === 'number' && Number.isFinite(raw.area) && raw.area >= 0)) {
    throw new DetsegInputError(`${seg}: area must be a non-negative number, got ${JSON.stringify(raw.area)}`, { file, field: `${field}.area` });
  }
  if (raw.bbox !== undefined && !(Array.isArray(raw.bbox) && raw.bbox.length === 4 && raw.bbox.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
    throw new DetsegInputError(`${seg}: bbox must hold 4 finite numbers [x, y, width, height]`, { file, field: `${field}.bbox` });
  }
  const out: PanopticSegmentInfo = { id: id as number, category_id: raw.category_id as number, iscrowd: raw.iscrowd === 1 ? 1 : 0 };
  if (raw.area !== undefined) out.area = raw.area as number;
  if (raw.bbox !== undefined) out.bbox = raw.bbox as [number, number, number, number];
  return out;
}

/**
 * Checks that `value` is a COCO panoptic JSON and returns it typed (missing `iscrowd` becomes 0). Every
 * error names `file`, the field (`annotations[3].segments_info[5].id`) and the image and segment.
 * Checks: `annotations` is a list of `{image_id, file_name, segments_info}`, image ids unique, segment ids
 * integers in 1..256³−1 and unique within their image, `category_id` an integer, `iscrowd` 0 or 1, `area`
 * and `bbox` (optional) well-formed; `images` (optional) have unique ids and positive integer sizes;
 * `categories` (optional) as {@link validatePanopticCategories}. Categories are checked against the
 * segments by {@link checkPanopticCategories}, as they may come from another file.
 */
export function validateCocoPanoptic(value: unknown, file?: string): CocoPanopticJson {
  if (!isObject(value)) throw new DetsegInputError('a COCO panoptic file must hold a JSON object', { file });
  if (!Array.isArray(value.annotations)) throw new DetsegInputError(`must be a list (got ${value.annotations === undefined ? 'nothing' : typeof value.annotations})`, { file, field: 'annotations' });
  const out: CocoPanopticJson = { annotations: [] };
  if (value.images !== undefined) {
    if (!Array.isArray(value.images)) throw new DetsegInputError(`must be a list (got ${typeof value.images})`, { file, field: 'images' });
    const seen = new Set<number | string>();
    out.images = value.images.map((raw, i) => {
      const f = `images[${i}]`;
      if (!isObject(raw)) throw new DetsegInputError('must be an object', { file, field: f });
      if (!isImageId(raw.id)) throw new DetsegInputError(`id must be an integer or a non-empty string, got ${JSON.stringify(raw.id)}`, { file, field: `${f}.id` });
      if (seen.has(raw.id)) throw new DetsegInputError(`duplicate image id ${JSON.stringify(raw.id)}`, { file, field: `${f}.id` });
      seen.add(raw.id);
      for (const k of ['width', 'height']) {
        if (!(Number.isInteger(raw[k]) && (raw[k] as number) > 0)) throw new DetsegInputError(`${imageLabel(raw.id)}: ${k} must be a positive integer, got ${JSON.stringify(raw[k])}`, { file, field: `${f}.${k}` });
      }
      return raw as unknown as PanopticImageInfo;
    });
  }
  if (value.categories !== undefined) out.categories = validatePanopticCategories(value.categories, file);
  const imageIds = new Set<number | string>();
  value.annotations.forEach((raw, i) => {
    const f = `annotations[${i}]`;
    if (!isObject(raw)) throw new DetsegInputError('must be an object', { file, field: f });
    if (!isImageId(raw.image_id)) throw new DetsegInputError(`image_id must be an integer or a non-empty string, got ${JSON.stringify(raw.image_id)}`, { file, field: `${f}.image_id` });
    const imageId = raw.image_id;
    if (imageIds.has(imageId)) throw new DetsegInputError(`${imageLabel(imageId)}: a second annotation for the same image`, { file, field: `${f}.image_id` });
    imageIds.add(imageId);
    if (typeof raw.file_name !== 'string' || raw.file_name === '') throw new DetsegInputError(`${imageLabel(imageId)}: file_name must be a non-empty string`, { file, field: `${f}.file_name` });
    if (!Array.isArray(raw.segments_info)) throw new DetsegInputError(`${imageLabel(imageId)}: segments_info must be a list`, { file, field: `${f}.segments_info` });
    const seen = new Set<number>();
    const segments = raw.segments_info.map((s, k) => validateSegment(s, imageId, seen, { file: file ?? '', field: `${f}.segments_info[${k}]` }));
    out.annotations.push({ image_id: imageId, file_name: raw.file_name, segments_info: segments });
  });
  return out;
}

/** Checks that every segment's `category_id` is one of `categories`; the error names the image and segment. */
export function checkPanopticCategories(data: CocoPanopticJson, categories: readonly PanopticCategory[], file?: string): void {
  const known = new Set(categories.map((c) => c.id));
  data.annotations.forEach((ann, i) => {
    ann.segments_info.forEach((s, k) => {
      if (!known.has(s.category_id)) {
        throw new DetsegInputError(`${imageLabel(ann.image_id)}, segment ${s.id}: unknown category_id ${s.category_id}`, { file, field: `annotations[${i}].segments_info[${k}].category_id` });
      }
    });
  });
}

/** Segment ids of an RGB image (`rgb: Uint8Array [H, W, 3]`, or `[H, W, 4]` with `channels` 4): `Uint32Array [H, W]`. */
export function rgbToSegmentIds(rgb: Uint8Array, width: number, height: number, channels = 3): Uint32Array {
  const n = width * height;
  if (rgb.length !== n * channels) throw new DetsegInputError(`expected ${n * channels} bytes for ${width}×${height}×${channels}, got ${rgb.length}`, { field: 'rgb' });
  const ids = new Uint32Array(n);
  for (let p = 0, q = 0; p < n; p++, q += channels) ids[p] = rgb[q] + (rgb[q + 1] << 8) + (rgb[q + 2] << 16);
  return ids;
}

/** The RGB image (`Uint8Array [H, W, 3]`) coding segment ids `ids: [H, W]` (each at most 256³ − 1). */
export function segmentIdsToRgb(ids: Uint32Array): Uint8Array {
  const rgb = new Uint8Array(ids.length * 3);
  for (let p = 0, q = 0; p < ids.length; p++, q += 3) {
    const id = ids[p];
    if (id > PANOPTIC_MAX_ID) throw new DetsegInputError(`segment id ${id} at pixel ${p} does not fit in an RGB pixel (max ${PANOPTIC_MAX_ID})`, { field: 'ids' });
    rgb[q] = id & 0xff;
    rgb[q + 1] = (id >>> 8) & 0xff;
    rgb[q + 2] = id >>> 16;
  }
  return rgb;
}

/** Pixel count and box `[x, y, width, height]` of one segment of an id map. */
export interface SegmentExtent {
  area: number;
  bbox: [number, number, number, number];
}

/** Area and bounding box of every non-void segment id in `ids: Uint32Array [H, W]`, keyed by id. */
export function segmentExtents(ids: Uint32Array, width: number, height: number): Map<number, SegmentExtent> {
  const acc = new Map<number, { area: number; x0: number; y0: number; x1: number; y1: number }>();
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p++) {
      const id = ids[p];
      if (id === PANOPTIC_VOID) continue;
      const e = acc.get(id);
      if (e === undefined) acc.set(id, { area: 1, x0: x, y0: y, x1: x, y1: y });
      else {
        e.area++;
        if (x < e.x0) e.x0 = x;
        if (x > e.x1) e.x1 = x;
        e.y1 = y; // rows are visited in order
      }
    }
  }
  const out = new Map<number, SegmentExtent>();
  for (const [id, e] of acc) out.set(id, { area: e.area, bbox: [e.x0, e.y0, e.x1 - e.x0 + 1, e.y1 - e.y0 + 1] });
  return out;
}

/** Pixel count of each segment id (void included, under id 0) of `ids`. */
export function segmentAreas(ids: Uint32Array): Map<number, number> {
  const areas = new Map<number, number>();
  let last = -1;
  let run = 0;
  for (let p = 0; p < ids.length; p++) {
    const id = ids[p];
    if (id === last) {
      run++;
      continue;
    }
    if (run > 0) areas.set(last, (areas.get(last) ?? 0) + run);
    last = id;
    run = 1;
  }
  if (run > 0) areas.set(last, (areas.get(last) ?? 0) + run);
  return areas;
}

/**
 * Checks that the id map of one image and its `segments_info` hold the same segments: a non-void id of
 * the PNG missing from the list, or a listed id absent from the PNG, throws a {@link DetsegInputError}
 * naming the file (`png` for the first, `json` for the second), the image and the segment. Returns the
 * pixel count of every id of the map (void under 0).
 */
export function checkSegmentIds(ids: Uint32Array, ann: PanopticAnnotation, where: { png?: string; json?: string; field?: string } = {}): Map<number, number> {
  const areas = segmentAreas(ids);
  const listed = new Set(ann.segments_info.map((s) => s.id));
  const img = imageLabel(ann.image_id);
  const inPng = [...areas.keys()].filter((id) => id !== PANOPTIC_VOID && !listed.has(id)).sort((a, b) => a - b);
  if (inPng.length > 0) {
    const more = inPng.length > 1 ? ` (and ${inPng.length - 1} more: ${inPng.slice(1, 6).join(', ')}${inPng.length > 6 ? ', …' : ''})` : '';
    throw new DetsegInputError(`${img}, segment ${inPng[0]}: the id is in the PNG but not in segments_info${where.json ? ` of ${where.json}` : ''}${more}`, { file: where.png });
  }
  const k = ann.segments_info.findIndex((s) => !areas.has(s.id));
  if (k >= 0) {
    const id = ann.segments_info[k].id;
    throw new DetsegInputError(`${img}, segment ${id}: listed in segments_info but absent from the PNG${where.png ? ` ${where.png}` : ''}`, { file: where.json, field: `${where.field ?? 'segments_info'}[${k}]` });
  }
  return areas;
}
