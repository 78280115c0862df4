import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readCocoDataset } from '../data/coco.js';
import type { DatasetImage, DetectionDataset } from '../data/dataset.js';
import { readVocDir } from '../data/voc.js';
import { readYoloDataset } from '../data/yolo.js';
import { parseYoloYaml } from '../data/yolo-yaml.js';
import { SHAPE_CLASSES, syntheticSample, type SyntheticOptions } from '../data/synthetic.js';
import { maskToCocoRle } from '../masks/coco-mask.js';
import { DetsegInputError } from '../util/errors.js';

/**
 * The one way training, validation and prediction read detection data, whatever its source: a COCO
 * JSON file, a YOLO `data.yaml`, a Pascal VOC folder (`Annotations/` + `JPEGImages/`), or the synthetic
 * shapes (`synthetic`). Every source becomes a {@link DetectionData}: the in-memory
 * {@link DetectionDataset} (boxes xyxy in image pixels, 0-based labels into `classes`) and where its
 * images are. {@link validateDetectionData} checks it before any training starts.
 */

/** A detection dataset with where its pixels come from. */
export interface DetectionData {
  /** What the user gave (`--data`), for messages. */
  source: string;
  /** 'coco' | 'yolo' | 'voc' | 'synthetic'. */
  format: 'coco' | 'yolo' | 'voc' | 'synthetic';
  /** The annotation file or folder named in errors. */
  file: string;
  classes: string[];
  dataset: DetectionDataset;
  /** Folder of the image files (`images[i].file` is relative to it); null for synthetic data. */
  imagesDir: string | null;
  /** Synthetic data: the generator's seed, image side, and objects per image (default 1..8). */
  synthetic?: { seed: number; size: number; objects?: [number, number] };
  /** Whether every object has a segmentation (instance masks can be trained and evaluated). */
  hasMasks: boolean;
}

/** Options of {@link openDetectionData}. */
export interface OpenDataOptions {
  /** Image folder of a COCO file (default: found beside the file). */
  images?: string;
  /** YOLO `data.yaml` split to read (default 'train'). */
  split?: 'train' | 'val';
  /** Synthetic data: seed, number of images, image side, objects per image (defaults 1, 4000, 128, 1..8). */
  synthetic?: { seed?: number; count?: number; size?: number; objects?: [number, number] };
  /** Option name in errors (default '--data'). */
  field?: string;
}

/** The generator options of synthetic data: its size and, when given, the objects per image. */
export function syntheticOptions(synthetic: NonNullable<DetectionData['synthetic']>): SyntheticOptions {
  return synthetic.objects ? { size: synthetic.size, minObjects: synthetic.objects[0], maxObjects: synthetic.objects[1] } : { size: synthetic.size };
}

/**
 * The synthetic shapes as a dataset: `count` images of seed `seed`, `size`² pixels, with masks;
 * `objects` [min, max] shapes per image (default the generator's 1..8; [1, 1] for one object).
 */
export function syntheticData(seed: number, count: number, size: number, objects?: [number, number]): DetectionData {
  const images: DatasetImage[] = [];
  for (let i = 0; i < count; i++) {
    const s = syntheticSample(seed, i, syntheticOptions({ seed, size, objects }));
    const n = s.labels.length;
    const areas = Float64Array.from(s.masks, (m) => m.reduce((a, v) => a + v, 0));
    const segmentations = s.masks.map((m) => maskToCocoRle(m, size, size));
    images.push({ file: `synthetic-${seed}-${i}.png`, id: i + 1, width: size, height: size, boxes: s.boxes, labels: s.labels, iscrowd: new Uint8Array(n), difficult: new Uint8Array(n), truncated: new Float32Array(n), segmentations, areas });
  }
  return { source: 'synthetic', format: 'synthetic', file: `synthetic (seed ${seed})`, classes: [...SHAPE_CLASSES], dataset: { classNames: [...SHAPE_CLASSES], images }, imagesDir: null, synthetic: { seed, size, objects }, hasMasks: true };
}

/** The image folder of a COCO file: `--images`, else the first of the usual places holding its first image. */
function cocoImagesDir(file: string, dataset: DetectionDataset, images?: string): string {
  if (images !== undefined) {
    const dir = resolve(images);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DetsegInputError('is not a folder', { file: dir, field: '--images' });
    return dir;
  }
  const here = dirname(file);
  const candidates = [here, join(here, 'images'), join(here, '..', 'images'), join(here, '..'), join(here, '..', 'PNGImages'), join(here, '..', 'JPEGImages')];
  const first = dataset.images[0]?.file;
  const found = first === undefined ? undefined : candidates.find((d) => existsSync(join(d, first)));
  if (!found) throw new DetsegInputError(`cannot find the image files (e.g. ${first}) beside the annotations: give the image folder with --images`, { file, field: '--images' });
  return resolve(found);
}

/** Reads the YOLO `data.yaml` split: images folder, labels folder (`images` → `labels`), class names. */
async function openYolo(file: string, split: 'train' | 'val'): Promise<DetectionData> {
  const yaml = parseYoloYaml(readFileSync(file, 'utf8'), file);
  const root = resolve(dirname(file), yaml.path ?? '.');
  const rel = yaml[split];
  if (rel === undefined) throw new DetsegInputError(`has no '${split}' split`, { file, field: split });
  const imagesDir = resolve(root, rel);
  if (!existsSync(imagesDir) || !statSync(imagesDir).isDirectory()) throw new DetsegInputError(`'${split}' folder does not exist: ${imagesDir}`, { file, field: split });
  const parts = imagesDir.split('/');
  const at = parts.lastIndexOf('images');
  const labelsDir = at >= 0 ? [...parts.slice(0, at), 'labels', ...parts.slice(at + 1)].join('/') : imagesDir;
  const dataset = await readYoloDataset(existsSync(labelsDir) ? labelsDir : imagesDir, imagesDir, { classNames: yaml.names });
  return { source: file, format: 'yolo', file, classes: dataset.classNames, dataset, imagesDir, hasMasks: false };
}

/**
 * Opens `--data`: `synthetic`, a YOLO `*.yaml`, a COCO `*.json`, or a Pascal VOC folder holding
 * `Annotations/` (images in `JPEGImages/`). Read errors are {@link DetsegInputError}s naming the file.
 */
export async function openDetectionData(spec: string, options: OpenDataOptions = {}): Promise<DetectionData> {
  const field = options.field ?? '--data';
  if (spec === 'synthetic') {
    const s = options.synthetic ?? {};
    return syntheticData(s.seed ?? 1, s.count ?? 4000, s.size ?? 128, s.objects);
  }
  const file = resolve(spec);
  if (!existsSync(file)) throw new DetsegInputError('does not exist (expected a COCO .json, a YOLO data.yaml, a VOC folder or "synthetic")', { file, field });
  if (statSync(file).isDirectory()) {
    const annotations = existsSync(join(file, 'Annotations')) ? join(file, 'Annotations') : file;
    const imagesDir = existsSync(join(file, 'JPEGImages')) ? join(file, 'JPEGImages') : options.images !== undefined ? resolve(options.images) : file;
    const dataset = readVocDir(annotations);
    return { source: spec, format: 'voc', file: annotations, classes: dataset.classNames, dataset, imagesDir, hasMasks: false };
  }
  if (/\.ya?ml$/i.test(file)) return openYolo(file, options.split ?? 'train');
  if (/\.json$/i.test(file)) {
    const dataset = readCocoDataset(file);
    const hasMasks = dataset.images.every((im) => im.labels.length === 0 || (im.segmentations !== undefined && im.segmentations.every((s, j) => s !== undefined || im.iscrowd[j] === 1)));
    return { source: spec, format: 'coco', file, classes: dataset.classNames, dataset, imagesDir: cocoImagesDir(file, dataset, options.images), hasMasks };
  }
  throw new DetsegInputError(`is not a dataset detseg reads: expected a COCO .json, a YOLO .yaml, a VOC folder or "synthetic" (got ${basename(file)})`, { file, field });
}

/**
 * Checks a dataset before training or validation: at least one image; every image file present with a
 * positive size; every box finite, inside its image (1 px tolerance) with x2 > x1 and y2 > y1; every
 * label a known class; with `singleObject`, exactly one object per image. The first problem raises a {@link DetsegInputError} naming the file and the
 * record (`images[i]`, `objects[j]`).
 */
export function validateDetectionData(data: DetectionData, options: { singleObject?: boolean } = {}): void {
  const { file, dataset } = data;
  if (dataset.images.length === 0) throw new DetsegInputError('holds no images', { file, field: 'images' });
  if (data.classes.length === 0) throw new DetsegInputError('defines no classes', { file, field: 'categories' });
  let objects = 0;
  dataset.images.forEach((im, i) => {
    const where = `images[${i}] (${im.file})`;
    if (!(im.width > 0 && im.height > 0)) throw new DetsegInputError(`${where}: size ${im.width}×${im.height} is not positive`, { file, field: 'width' });
    if (data.imagesDir !== null && !existsSync(join(data.imagesDir, im.file))) throw new DetsegInputError(`${where}: image file not found in ${data.imagesDir}`, { file, field: 'file_name' });
    for (let j = 0; j < im.labels.length; j++) {
      const [x1, y1, x2, y2] = im.boxes.subarray(4 * j, 4 * j + 4);
      const obj = `${where} objects[${j}]`;
      if (![x1, y1, x2, y2].every(Number.isFinite)) throw new DetsegInputError(`${obj}: box [${x1}, ${y1}, ${x2}, ${y2}] is not finite`, { file, field: 'bbox' });
      if (!(x2 > x1 && y2 > y1)) throw new DetsegInputError(`${obj}: box [${x1}, ${y1}, ${x2}, ${y2}] has x2 ≤ x1 or y2 ≤ y1`, { file, field: 'bbox' });
      if (x1 < -1 || y1 < -1 || x2 > im.width + 1 || y2 > im.height + 1) throw new DetsegInputError(`${obj}: box [${x1}, ${y1}, ${x2}, ${y2}] lies outside the ${im.width}×${im.height} image`, { file, field: 'bbox' });
      const label = im.labels[j];
      if (!(Number.isInteger(label) && label >= 0 && label < data.classes.length)) throw new DetsegInputError(`${obj}: class ${label} is not one of the ${data.classes.length} classes`, { file, field: 'category_id' });
      if (!im.iscrowd[j]) objects++;
    }
    if (options.singleObject && im.labels.length !== 1) throw new DetsegInputError(`${where}: holds ${im.labels.length} objects; classification + localization needs exactly one per image`, { file, field: 'annotations' });
  });
  if (objects === 0) throw new DetsegInputError('holds no objects to learn from (every image is empty or crowd)', { file, field: 'annotations' });
}
