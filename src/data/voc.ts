import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { DetsegInputError } from '../util/errors.js';
import { writeDirAtomic } from '../util/atomic.js';
import { ClassIndex, fileStem, labelFileNames, makeImage, validateDataset, type DatasetImage, type DetectionDataset } from './dataset.js';
import { float32Text, shortestDecimal } from './number-text.js';

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

const parser = new XMLParser({ parseTagValue: false, isArray: (_name, jpath) => jpath === 'annotation.object' });

function numberField(value: unknown, file: string, field: string, required = true): number {
  if (value === undefined || value === '') {
    if (!required) return 0;
    throw new DetsegInputError('is missing', { file, field });
  }
  const n = typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n)) throw new DetsegInputError(`must be a number, got ${JSON.stringify(value)}`, { file, field });
  return n;
}

/**
 * Parses one VOC annotation XML text into an image record. Labels come from `classes` (a growing or
 * fixed {@link ClassIndex}; an unknown name of a fixed list is an error). Malformed XML, missing fields,
 * non-numbers and boxes outside the image throw a {@link DetsegInputError} naming `file`, the field
 * (`object[2].bndbox.xmax`) and, for XML syntax errors, the line. `pixelOffset`: see the module comment.
 */
export function parseVocXml(text: string, file: string, classes: ClassIndex, pixelOffset: VocPixelOffset = 0): DatasetImage {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new DetsegInputError(`malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`, { file });
  const doc = parser.parse(text) as { annotation?: Record<string, unknown> };
  const ann = doc.annotation;
  if (!ann || typeof ann !== 'object') throw new DetsegInputError('no <annotation> root element', { file, field: 'annotation' });
  const size = ann.size as Record<string, unknown> | undefined;
  if (!size || typeof size !== 'object') throw new DetsegInputError('is missing', { file, field: 'annotation.size' });
  const width = numberField(size.width, file, 'size.width');
  const height = numberField(size.height, file, 'size.height');
  if (!(width > 0 && height > 0)) throw new DetsegInputError(`image size must be positive, got ${width}×${height}`, { file, field: 'size' });
  const imageFile = typeof ann.filename === 'string' && ann.filename !== '' ? ann.filename : `${fileStem(file)}.jpg`;
  const objects = (ann.object as Record<string, unknown>[] | undefined) ?? [];
  const n = objects.length;
  const boxes = new Float32Array(4 * n);
  const labels = new Int32Array(n);
  const difficult = new Uint8Array(n);
  const truncated = new Float32Array(n);
  const iscrowd = new Uint8Array(n);
  objects.forEach((o, j) => {
    const field = `object[${j}]`;
    if (!o || typeof o !== 'object') throw new DetsegInputError('must be an element', { file, field });
    if (typeof o.name !== 'string' || o.name.trim() === '') throw new DetsegInputError('is missing', { file, field: `${field}.name` });
    const name = o.name.trim();
    const label = classes.indexOf(name);
    if (label < 0) throw new DetsegInputError(`unknown class name ${JSON.stringify(name)} (known: ${classes.names.join(', ')})`, { file, field: `${field}.name` });
    const bb = o.bndbox as Record<string, unknown> | undefined;
    if (!bb || typeof bb !== 'object') throw new DetsegInputError('is missing', { file, field: `${field}.bndbox` });
    const xmin = numberField(bb.xmin, file, `${field}.bndbox.xmin`);
    const ymin = numberField(bb.ymin, file, `${field}.bndbox.ymin`);
    const xmax = numberField(bb.xmax, file, `${field}.bndbox.xmax`);
    const ymax = numberField(bb.ymax, file, `${field}.bndbox.ymax`);
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
    difficult[j] = numberField(o.difficult, file, `${field}.difficult`, false) ? 1 : 0;
    truncated[j] = numberField(o.truncated, file, `${field}.truncated`, false);
    iscrowd[j] = numberField(o.iscrowd, file, `${field}.iscrowd`, false) ? 1 : 0;
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
  const texts = files.map((f) => readFileSync(join(dir, f), 'utf8'));
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
