import { DetsegInputError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import type { CocoSegmentation } from '../masks/coco-segmentation.js';
import type { CocoAnnotation, CocoCategory, CocoDataset, CocoImage } from './coco-types.js';
import { makeImage, validateDataset, type DatasetImage, type DetectionDataset } from './dataset.js';
import { readJsonFile, parseJsonText } from './json-text.js';
import { float32Text, shortestDecimal } from './number-text.js';
import { MAX_POLYGON_COORDINATE, segmentationToRle } from '../masks/polygon.js';

/** How far (px) a COCO box may reach past the image border before it is rejected as outside. */
export const COCO_BORDER_TOLERANCE_PX = 1;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkSegmentation(seg: unknown, img: CocoImage | undefined, file: string, field: string): void {
  if (Array.isArray(seg)) {
    seg.forEach((poly, p) => {
      if (!Array.isArray(poly) || poly.length < 6 || poly.length % 2 !== 0 || !poly.every(isNum)) {
        throw new DetsegInputError('a polygon must be a list of at least 3 finite x,y pairs', { file, field: `${field}[${p}]` });
      }
      if (!poly.every((v) => Math.abs(v) <= MAX_POLYGON_COORDINATE)) {
        throw new DetsegInputError(`a polygon coordinate is beyond ±${MAX_POLYGON_COORDINATE} pixels`, { file, field: `${field}[${p}]` });
      }
    });
    return;
  }
  if (seg === null || typeof seg !== 'object') throw new DetsegInputError('must be a list of polygons or an RLE object', { file, field });
  const rle = seg as { size?: unknown; counts?: unknown };
  if (!Array.isArray(rle.size) || rle.size.length !== 2 || !rle.size.every((v) => Number.isInteger(v) && v > 0)) {
    throw new DetsegInputError('RLE size must be [height, width]', { file, field: `${field}.size` });
  }
  if (img && (rle.size[0] !== img.height || rle.size[1] !== img.width)) {
    throw new DetsegInputError(`RLE size [${rle.size}] differs from the image's [${img.height}, ${img.width}]`, { file, field: `${field}.size` });
  }
  const counts = rle.counts;
  if (!(typeof counts === 'string' || (Array.isArray(counts) && counts.every((c) => Number.isInteger(c) && c >= 0)))) {
    throw new DetsegInputError('RLE counts must be a string or a list of non-negative integers', { file, field: `${field}.counts` });
  }
  // decoding checks the counts string and that the runs cover exactly height×width (as evaluation does)
  try {
    segmentationToRle(seg as CocoSegmentation, rle.size[0], rle.size[1], field);
  } catch (err) {
    if (err instanceof DetsegInputError) throw new DetsegInputError(err.message, { file });
    throw err;
  }
}

/** Checks that `raw` is an object with an integer `id` not yet in `seen`; returns it as a record. */
function idRecord(raw: unknown, seen: { has(id: number): boolean }, kind: string, file: string, field: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new DetsegInputError('must be an object', { file, field });
  const r = raw as Record<string, unknown>;
  if (!Number.isInteger(r.id)) throw new DetsegInputError(`id must be an integer, got ${JSON.stringify(r.id)}`, { file, field: `${field}.id` });
  if (seen.has(r.id as number)) throw new DetsegInputError(`duplicate ${kind} id ${r.id}`, { file, field: `${field}.id` });
  return r;
}

/**
 * Checks that `value` is a well-formed COCO annotation file and returns it typed. Every error names
 * `file`, the field and the record index (e.g. `annotations[12].bbox`). Checks: the three lists exist;
 * ids are integers and unique; image sizes positive; bboxes are 4 finite numbers with w, h ≥ 0 and lie
 * inside their image (to {@link COCO_BORDER_TOLERANCE_PX}); image and category references exist;
 * `iscrowd` is 0 or 1 (missing means 0); segmentations are polygons or RLEs of the image's size.
 */
export function validateCoco(value: unknown, file: string): CocoDataset {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DetsegInputError('a COCO file must hold a JSON object', { file });
  const d = value as Record<string, unknown>;
  for (const key of ['images', 'categories', 'annotations']) {
    if (!Array.isArray(d[key])) throw new DetsegInputError(`must be a list (got ${d[key] === undefined ? 'nothing' : typeof d[key]})`, { file, field: key });
  }
  const images = d.images as unknown[];
  const categories = d.categories as unknown[];
  const annotations = d.annotations as unknown[];
  const imageById = new Map<number, CocoImage>();
  images.forEach((raw, i) => {
    const field = `images[${i}]`;
    const im = idRecord(raw, imageById, 'image', file, field);
    for (const k of ['width', 'height']) {
      if (!(isNum(im[k]) && (im[k] as number) > 0)) throw new DetsegInputError(`must be a positive number, got ${JSON.stringify(im[k])}`, { file, field: `${field}.${k}` });
    }
    if (typeof im.file_name !== 'string' || im.file_name === '') throw new DetsegInputError('must be a non-empty string', { file, field: `${field}.file_name` });
    imageById.set(im.id as number, im as unknown as CocoImage);
  });
  const categoryIds = new Set<number>();
  categories.forEach((raw, i) => {
    const field = `categories[${i}]`;
    const c = idRecord(raw, categoryIds, 'category', file, field);
    if (typeof c.name !== 'string') throw new DetsegInputError('must be a string', { file, field: `${field}.name` });
    categoryIds.add(c.id as number);
  });
  annotations.forEach((raw, i) => {
    const a = raw as Record<string, unknown>;
    const field = `annotations[${i}]`;
    if (a === null || typeof a !== 'object') throw new DetsegInputError('must be an object', { file, field });
    const img = imageById.get(a.image_id as number);
    if (!img) throw new DetsegInputError(`unknown image_id ${JSON.stringify(a.image_id)}`, { file, field: `${field}.image_id` });
    if (!categoryIds.has(a.category_id as number)) throw new DetsegInputError(`unknown category_id ${JSON.stringify(a.category_id)}`, { file, field: `${field}.category_id` });
    const b = a.bbox;
    if (!Array.isArray(b) || b.length !== 4 || !b.every(isNum)) throw new DetsegInputError(`bbox must be 4 finite numbers [x, y, w, h], got ${JSON.stringify(b)}`, { file, field: `${field}.bbox` });
    if (b[2] < 0 || b[3] < 0) throw new DetsegInputError(`bbox has a negative width or height ${JSON.stringify(b)}`, { file, field: `${field}.bbox` });
    const t = COCO_BORDER_TOLERANCE_PX;
    if (b[0] < -t || b[1] < -t || b[0] + b[2] > img.width + t || b[1] + b[3] > img.height + t) {
      throw new DetsegInputError(`bbox ${JSON.stringify(b)} lies outside the ${img.width}×${img.height} image ${img.id}`, { file, field: `${field}.bbox` });
    }
    if (a.iscrowd !== undefined && a.iscrowd !== 0 && a.iscrowd !== 1) throw new DetsegInputError(`iscrowd must be 0 or 1, got ${JSON.stringify(a.iscrowd)}`, { file, field: `${field}.iscrowd` });
    if (a.area !== undefined && !(isNum(a.area) && a.area >= 0)) throw new DetsegInputError(`area must be a non-negative number, got ${JSON.stringify(a.area)}`, { file, field: `${field}.area` });
    if (a.segmentation !== undefined) checkSegmentation(a.segmentation, img, file, `${field}.segmentation`);
    if (a.difficult !== undefined && a.difficult !== 0 && a.difficult !== 1 && typeof a.difficult !== 'boolean') throw new DetsegInputError(`difficult must be 0 or 1, got ${JSON.stringify(a.difficult)}`, { file, field: `${field}.difficult` });
    if (a.truncated !== undefined && !isNum(a.truncated)) throw new DetsegInputError(`truncated must be a number, got ${JSON.stringify(a.truncated)}`, { file, field: `${field}.truncated` });
  });
  return d as unknown as CocoDataset;
}

/** Parses and validates COCO JSON text (see {@link validateCoco}); `file` names it in errors. */
export function parseCoco(text: string, file = '<coco json>'): CocoDataset {
  return validateCoco(parseJsonText(text, file), file);
}

/** Reads and validates a COCO annotation file. */
export function readCocoFile(file: string): CocoDataset {
  return validateCoco(readJsonFile(file), file);
}

/**
 * Converts a validated COCO file to a {@link DetectionDataset}. Classes are the categories sorted by id
 * (so class index = position of the category id in the sorted id list, as ultralytics' YOLO labels of
 * COCO number them); images keep the file's order and ids; objects keep their file order per image, with
 * bbox xywh → xyxy, `iscrowd`, `area`, `segmentation`, and the optional extra fields `difficult` (0/1)
 * and `truncated` (a number) that the writer adds for objects from VOC or KITTI.
 */
export function cocoToDataset(coco: CocoDataset): DetectionDataset {
  const cats = [...coco.categories].sort((a, b) => a.id - b.id);
  const labelOf = new Map<number, number>(cats.map((c, i) => [c.id, i]));
  const perImage = new Map<number, CocoAnnotation[]>();
  for (const im of coco.images) perImage.set(im.id, []);
  for (const a of coco.annotations) perImage.get(a.image_id)!.push(a);
  const images: DatasetImage[] = coco.images.map((im) => {
    const anns = perImage.get(im.id)!;
    const n = anns.length;
    const boxes = new Float32Array(4 * n);
    const labels = new Int32Array(n);
    const iscrowd = new Uint8Array(n);
    const difficult = new Uint8Array(n);
    const truncated = new Float32Array(n);
    const areas = new Float64Array(n);
    const segmentations: (CocoSegmentation | undefined)[] = new Array(n);
    let anySeg = false;
    for (let j = 0; j < n; j++) {
      const a = anns[j];
      const [x, y, w, h] = a.bbox;
      boxes[4 * j] = x;
      boxes[4 * j + 1] = y;
      boxes[4 * j + 2] = x + w;
      boxes[4 * j + 3] = y + h;
      labels[j] = labelOf.get(a.category_id)!;
      iscrowd[j] = a.iscrowd === 1 ? 1 : 0;
      difficult[j] = a.difficult === 1 || a.difficult === true ? 1 : 0;
      truncated[j] = typeof a.truncated === 'number' ? a.truncated : 0;
      areas[j] = typeof a.area === 'number' ? a.area : w * h;
      segmentations[j] = a.segmentation;
      if (a.segmentation !== undefined) anySeg = true;
    }
    return makeImage(im.file_name, im.width, im.height, { boxes, labels, iscrowd, difficult, truncated }, {
      id: im.id,
      areas,
      ...(anySeg ? { segmentations } : {}),
    });
  });
  return { classNames: cats.map((c) => c.name), categoryIds: cats.map((c) => c.id), images };
}

/** Reads a COCO annotation file straight into a {@link DetectionDataset}. */
export function readCocoDataset(file: string): DetectionDataset {
  return cocoToDataset(readCocoFile(file));
}

/**
 * Text of a box extent `x2 - x1` such that `fround(Number(x1Text) + extent) === x2`: short and lossless
 * for float32 corners.
 */
function extentText(x1Text: string, x2: number): string {
  const x1 = Number(x1Text);
  return shortestDecimal(x2 - x1, (c) => Math.fround(x1 + c) === x2);
}

/**
 * Converts a {@link DetectionDataset} to a COCO file. Category ids come from `categoryIds` when present,
 * else 1..K; image ids from `id` when all are present and unique, else 1..N; annotation ids are 1..M in
 * order. Numbers are written as the shortest decimals that read back to the same float32 boxes.
 */
export function datasetToCoco(dataset: DetectionDataset, info: Record<string, unknown> = { description: 'written by detseg' }): CocoDataset {
  const catIds = dataset.categoryIds ?? dataset.classNames.map((_, i) => i + 1);
  const categories: CocoCategory[] = dataset.classNames.map((name, i) => ({ id: catIds[i], name }));
  const ids = dataset.images.map((im) => im.id);
  const keepIds = ids.every((id) => id !== undefined) && new Set(ids).size === ids.length;
  const images: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  dataset.images.forEach((im, i) => {
    const imageId = keepIds ? im.id! : i + 1;
    images.push({ id: imageId, width: im.width, height: im.height, file_name: im.file });
    const n = im.labels.length;
    for (let j = 0; j < n; j++) {
      const x1 = im.boxes[4 * j], y1 = im.boxes[4 * j + 1], x2 = im.boxes[4 * j + 2], y2 = im.boxes[4 * j + 3];
      const xt = float32Text(x1), yt = float32Text(y1);
      const bbox: [number, number, number, number] = [Number(xt), Number(yt), Number(extentText(xt, x2)), Number(extentText(yt, y2))];
      const ann: CocoAnnotation = {
        id: annotations.length + 1,
        image_id: imageId,
        category_id: catIds[im.labels[j]],
        bbox,
        area: im.areas ? im.areas[j] : (x2 - x1) * (y2 - y1),
        iscrowd: im.iscrowd[j] ? 1 : 0,
      };
      const seg = im.segmentations?.[j];
      if (seg !== undefined) ann.segmentation = seg;
      if (im.difficult[j]) ann.difficult = 1;
      if (im.truncated[j]) ann.truncated = Number(float32Text(im.truncated[j]));
      annotations.push(ann);
    }
  });
  return { info, images, categories, annotations };
}

/** Validates `dataset` and writes it atomically as a COCO JSON file. */
export function writeCocoDataset(dataset: DetectionDataset, file: string): void {
  validateDataset(dataset);
  writeFileAtomic(file, JSON.stringify(datasetToCoco(dataset)));
}
