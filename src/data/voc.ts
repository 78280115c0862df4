import { readdirSync, writeFileSync } from 'node:fs';
import { readTextFile } from './json-text.js';
import { join } from 'node:path';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { DetsegInputError, oneLine } from '../util/errors.js';
import { writeDirAtomic } from '../util/atomic.js';
import { ClassIndex, fileStem, labelFileNames, makeImage, validateDataset, type DatasetImage, type DetectionDataset } from './dataset.js';
import { float32Text, shortestDecimal } from './number-text.js';
import { parseFiniteDecimal } from './voc-eval-io.js';

/**
 * Pascal VOC annotation XML, one file per image (`Annotations/<id>.xml`): `size` (width, height, depth)
 * and `object`s with `name`, `truncated`, `difficult` and `bndbox` (xmin, ymin, xmax, ymax).
 *
 * Pixel convention, decided here: by default the numbers are taken as they are, `x1 = xmin`,
 * `x2 = xmax` (as torchvision, mmdetection and Padilla's VOC→COCO toy example do, and as the VOC
 * evaluator's default IoU does). The devkit's own reading — 1-based inclusive pixels, box width
 * `xmax − xmin + 1` — is `pixelOffset: 1`: `x1 = xmin − 1`, `x2 = xmax`. Writers invert either exactly.
 * Crowd objects (from COCO) are written with an extra `<iscrowd>1</iscrowd>` element, which the reader
 * reads back; segmentations are not part of VOC XML and are not written.
 */
export type VocPixelOffset = 0 | 1;

/** The 20 Pascal VOC classes, in the devkit's order. */
export const VOC_CLASSES = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

/** Deepest element nesting a VOC annotation may have (real files nest 4 levels: annotation/object/part/bndbox). */
const MAX_XML_DEPTH = 32;

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: true, isArray: (_name, jpath) => jpath === 'annotation.object' });

/** One `<object>` of a VOC annotation, its numbers as written (no pixel convention applied). */
export interface VocObject {
  name: string;
  /** xmin, ymin, xmax, ymax as written. */
  bndbox: [number, number, number, number];
  /** 0 or 1 (absent: 0). */
  difficult: 0 | 1;
  /** As written (absent: 0). */
  truncated: number;
  /** 0 or 1 (absent: 0; written for crowd objects from COCO). */
  iscrowd: 0 | 1;
}

/** A VOC annotation XML as read by {@link readVocAnnotation}. */
export interface VocAnnotation {
  filename?: string;
  /** `<size>` width and height, when present (required by the dataset reader, not by evaluation). */
  size?: { width: number; height: number };
  objects: VocObject[];
}

/** Deepest tag nesting of `text`, counted by a plain scan (stops early past `limit`). */
function xmlDepth(text: string, limit: number): number {
  let depth = 0, max = 0;
  for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) {
    const c = text.charCodeAt(i + 1);
    if (c === 47) depth--; // </
    else if (c === 33 || c === 63) continue; // <! and <?
    else if (text.charCodeAt(text.indexOf('>', i) - 1) !== 47) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    }
  }
  return max;
}

/** A VOC number: a finite decimal (`12`, `-3.5`, `1e3`; not `0x1F4`, `NaN`, `inf` or empty). */
function vocNumber(value: unknown, file: string, field: string, required = true): number {
  if (value === undefined || value === '') {
    if (!required) return 0;
    throw new DetsegInputError('is missing', { file, field });
  }
  if (typeof value !== 'string') throw new DetsegInputError('must be a number, not an element', { file, field });
  return parseFiniteDecimal(value, { file, field });
}

function vocFlag(value: unknown, file: string, field: string): 0 | 1 {
  if (value === undefined || value === '') return 0;
  const t = typeof value === 'string' ? value.trim() : '';
  if (t !== '0' && t !== '1') throw new DetsegInputError(`must be 0 or 1, got ${JSON.stringify(value)}`, { file, field });
  return t === '1' ? 1 : 0;
}

/**
 * Reads a Pascal VOC annotation XML: the one reader of both the dataset converter and VOC evaluation, so
 * that a file means the same to both. Malformed XML (with its line and column), DOCTYPE and entity
 * declarations (VOC files have none: they would let a file pull in other files or expand without
 * bound), nesting deeper than 32 elements, a nested `<object>`, missing or non-numeric fields (strict
 * decimals) and flags other than 0/1 throw a {@link DetsegInputError} naming `file` and the field
 * (`object[2].bndbox.xmax`).
 */
export function readVocAnnotation(text: string, file: string): VocAnnotation {
  if (/<!(DOCTYPE|ENTITY)/i.test(text)) throw new DetsegInputError('DOCTYPE and ENTITY declarations are not supported in VOC annotations', { file });
  if (xmlDepth(text, MAX_XML_DEPTH) > MAX_XML_DEPTH) throw new DetsegInputError(`elements nest deeper than ${MAX_XML_DEPTH} levels`, { file });
  let doc: { annotation?: unknown };
  try {
    const valid = XMLValidator.validate(text);
    if (valid !== true) throw new DetsegInputError(`malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${oneLine(valid.err.msg)}`, { file });
    doc = parser.parse(text) as { annotation?: unknown };
  } catch (err) {
    if (err instanceof DetsegInputError) throw err;
    throw new DetsegInputError(`malformed XML: ${oneLine(err instanceof Error ? err.message : String(err))}`, { file });
  }
  const ann = doc.annotation as Record<string, unknown> | undefined;
  if (!ann || typeof ann !== 'object') throw new DetsegInputError('no <annotation> root element', { file, field: 'annotation' });
  const out: VocAnnotation = { objects: [] };
  if (typeof ann.filename === 'string' && ann.filename.trim() !== '') out.filename = ann.filename.trim();
  if (ann.size !== undefined) {
    const size = ann.size as Record<string, unknown>;
    if (typeof size !== 'object' || size === null) throw new DetsegInputError('must hold <width> and <height>', { file, field: 'size' });
    const width = vocNumber(size.width, file, 'size.width');
    const height = vocNumber(size.height, file, 'size.height');
    if (!(width > 0 && height > 0)) throw new DetsegInputError(`image size must be positive, got ${width}×${height}`, { file, field: 'size' });
    out.size = { width, height };
  }
  const objects = (ann.object as unknown[] | undefined) ?? [];
  objects.forEach((raw, j) => {
    const field = `object[${j}]`;
    const o = raw as Record<string, unknown>;
    if (!o || typeof o !== 'object') throw new DetsegInputError('must be an element', { file, field });
    if (o.object !== undefined) throw new DetsegInputError('holds a nested <object> (objects must be children of <annotation>)', { file, field });
    if (typeof o.name !== 'string' || o.name.trim() === '') throw new DetsegInputError('is missing', { file, field: `${field}.name` });
    const bb = o.bndbox as Record<string, unknown> | undefined;
    if (!bb || typeof bb !== 'object') throw new DetsegInputError('is missing', { file, field: `${field}.bndbox` });
    if (Array.isArray(bb)) throw new DetsegInputError('appears more than once', { file, field: `${field}.bndbox` });
    const bndbox = (['xmin', 'ymin', 'xmax', 'ymax'] as const).map((k) => vocNumber(bb[k], file, `${field}.bndbox.${k}`)) as [number, number, number, number];
    out.objects.push({
      name: o.name.trim(),
      bndbox,
      difficult: vocFlag(o.difficult, file, `${field}.difficult`),
      truncated: vocNumber(o.truncated, file, `${field}.truncated`, false),
      iscrowd: vocFlag(o.iscrowd, file, `${field}.iscrowd`),
    });
  });
  return out;
}

/**
 * Parses one VOC annotation XML text into an image record. Labels come from `classes` (a growing or
 * fixed {@link ClassIndex}; an unknown name of a fixed list is an error). Besides the checks of
 * {@link readVocAnnotation}, `<size>` is required and boxes must lie inside the image; errors name
 * `file` and the field. `pixelOffset`: see the module comment.
 */
export function parseVocXml(text: string, file: string, classes: ClassIndex, pixelOffset: VocPixelOffset = 0): DatasetImage {
  const ann = readVocAnnotation(text, file);
  if (!ann.size) throw new DetsegInputError('is missing', { file, field: 'size' });
  const { width, height } = ann.size;
  const imageFile = ann.filename ?? `${fileStem(file)}.jpg`;
  const n = ann.objects.length;
  const boxes = new Float32Array(4 * n);
  const labels = new Int32Array(n);
  const difficult = new Uint8Array(n);
  const truncated = new Float32Array(n);
  const iscrowd = new Uint8Array(n);
  ann.objects.forEach((o, j) => {
    const field = `object[${j}]`;
    const label = classes.indexOf(o.name);
    if (label < 0) throw new DetsegInputError(`unknown class name ${JSON.stringify(o.name)} (known: ${classes.names.join(', ')})`, { file, field: `${field}.name` });
    const [xmin, ymin, xmax, ymax] = o.bndbox;
    const x1 = xmin - pixelOffset, y1 = ymin - pixelOffset;
    if (xmax < x1 || ymax < y1) throw new DetsegInputError(`box has negative size (${xmin}, ${ymin}, ${xmax}, ${ymax})`, { file, field: `${field}.bndbox` });
    // One pixel of slack on every side, as for COCO boxes.
    if (x1 < -1 || y1 < -1 || xmax > width + 1 || ymax > height + 1) {
      throw new DetsegInputError(`box (${xmin}, ${ymin}, ${xmax}, ${ymax}) lies outside the ${width}×${height} image`, { file, field: `${field}.bndbox` });
    }
    boxes[4 * j] = x1;
    boxes[4 * j + 1] = y1;
    boxes[4 * j + 2] = xmax;
    boxes[4 * j + 3] = ymax;
    labels[j] = label;
    difficult[j] = o.difficult;
    truncated[j] = o.truncated;
    iscrowd[j] = o.iscrowd;
  });
  return makeImage(imageFile, width, height, { boxes, labels, difficult, truncated, iscrowd });
}

/** Options of {@link readVocDir}. */
export interface VocReadOptions {
  /**
   * Class names, fixing label order; a name not in the list is an error. Default: {@link VOC_CLASSES}
   * when every name found belongs to them, else the sorted list of names found.
   */
  classNames?: string[];
  /** 0 (default): coordinates as they are; 1: the devkit's 1-based inclusive pixels. */
  pixelOffset?: VocPixelOffset;
}

/** Reads every `*.xml` of `dir` (sorted by name) as a VOC dataset. */
export function readVocDir(dir: string, options: VocReadOptions = {}): DetectionDataset {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.xml')).sort();
  } catch (err) {
    throw new DetsegInputError(`cannot read the VOC annotation folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file: dir });
  }
  if (files.length === 0) throw new DetsegInputError('holds no .xml annotation file', { file: dir });
  const texts = files.map((f) => readTextFile(join(dir, f)));
  const fixed = options.classNames !== undefined;
  const classes = new ClassIndex(options.classNames ?? [], !fixed);
  const images = texts.map((t, i) => parseVocXml(t, join(dir, files[i]), classes, options.pixelOffset ?? 0));
  if (fixed) return { classNames: classes.names, images };
  // Renumber to the default class order (VOC's 20 classes when they cover every name, else sorted).
  const found = classes.names;
  const order = found.every((n) => VOC_CLASSES.includes(n)) ? VOC_CLASSES : [...found].sort();
  const remap = Int32Array.from(found, (n) => order.indexOf(n));
  for (const im of images) for (let j = 0; j < im.labels.length; j++) im.labels[j] = remap[im.labels[j]];
  return { classNames: [...order], images };
}

const builder = new XMLBuilder({ format: true, indentBy: '\t' });

/** Text of `xmin` such that `fround(Number(text) − pixelOffset) === x1` (the reader's inverse). */
function vocMinText(x1: number, pixelOffset: VocPixelOffset): string {
  return shortestDecimal(x1 + pixelOffset, (c) => Math.fround(c - pixelOffset) === x1);
}

/** VOC annotation XML text of one image. `classNames` names the labels; `pixelOffset` as the reader's. */
export function vocXml(image: DatasetImage, classNames: string[], pixelOffset: VocPixelOffset = 0): string {
  const n = image.labels.length;
  const object: Record<string, unknown>[] = [];
  for (let j = 0; j < n; j++) {
    const b = image.boxes;
    const o: Record<string, unknown> = {
      name: classNames[image.labels[j]],
      pose: 'Unspecified',
      truncated: float32Text(image.truncated[j]),
      difficult: image.difficult[j] ? 1 : 0,
    };
    if (image.iscrowd[j]) o.iscrowd = 1;
    o.bndbox = { xmin: vocMinText(b[4 * j], pixelOffset), ymin: vocMinText(b[4 * j + 1], pixelOffset), xmax: float32Text(b[4 * j + 2]), ymax: float32Text(b[4 * j + 3]) };
    object.push(o);
  }
  return builder.build({
    annotation: {
      folder: 'detseg',
      filename: image.file,
      size: { width: image.width, height: image.height, depth: 3 },
      segmented: 0,
      object,
    },
  });
}

/** Validates `dataset` and writes one XML per image into `dir`, atomically (all files or none). */
export async function writeVocDir(dataset: DetectionDataset, dir: string, options: { pixelOffset?: VocPixelOffset } = {}): Promise<void> {
  validateDataset(dataset);
  const names = labelFileNames(dataset, '.xml');
  await writeDirAtomic(dir, (tmp) => {
    dataset.images.forEach((im, i) => writeFileSync(join(tmp, names[i]), vocXml(im, dataset.classNames, options.pixelOffset ?? 0)));
  });
}
