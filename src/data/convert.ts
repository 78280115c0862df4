import { existsSync, statSync } from 'node:fs';
import { readTextFile } from './json-text.js';
import { join } from 'node:path';
import { DetsegInputError } from '../util/errors.js';
import { readCocoDataset, writeCocoDataset } from './coco.js';
import type { DetectionDataset } from './dataset.js';
import { readImageSize } from './images.js';
import { checkReplaceableDir } from './output-dir.js';
import { readKittiDataset, writeKittiDir } from './kitti.js';
import { readVocDir, writeVocDir } from './voc.js';
import { readYoloDataset, readYoloNamesFile, writeYoloDir } from './yolo.js';

/** The annotation formats `detseg convert` reads and writes. */
export const DATASET_FORMATS = ['coco', 'voc', 'yolo', 'kitti'] as const;
/** One of {@link DATASET_FORMATS}. */
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Options of {@link readDataset}. */
export interface ReadDatasetOptions {
  /** Image folder: needed for YOLO and KITTI (image sizes); for COCO and VOC, checks files and sizes. */
  imagesDir?: string;
  /** Class names fixing label order (VOC, YOLO, KITTI). */
  classNames?: string[];
  /** Read VOC boxes as the devkit's 1-based inclusive pixels (`x1 = xmin − 1`); see `voc.ts`. */
  vocOneBased?: boolean;
}

/**
 * Parses a `--classes` value: a file of names (YAML data file, or one name per line) or `a,b,c`. A value
 * that looks like a path (a folder separator, or a `.txt`/`.names`/`.yaml`/`.yml` ending) but names no
 * file is an error, not a class name.
 */
export function parseClassNames(value: string): string[] {
  const exists = existsSync(value);
  if (exists && !statSync(value).isFile()) throw new DetsegInputError('is a folder, not a file of class names', { file: value, field: '--classes' });
  if (!exists && (/[\\/]/.test(value) || /\.(txt|names|ya?ml)$/i.test(value))) {
    throw new DetsegInputError('file does not exist (a list of names is written "a,b,c")', { file: value, field: '--classes' });
  }
  if (exists) {
    if (/\.ya?ml$/i.test(value) || /\.names$/i.test(value)) return readYoloNamesFile(value);
    const names = readTextFile(value).split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
    if (names.length === 0) throw new DetsegInputError('no class names', { file: value });
    return names;
  }
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new DetsegInputError(`empty class name in ${JSON.stringify(value)}`, { field: '--classes' });
  return names;
}

/**
 * Checks that every image of `dataset` exists in `imagesDir` with the size the annotations give.
 * A missing file or another size throws a {@link DetsegInputError} naming the image file.
 */
export async function checkImageFiles(dataset: DetectionDataset, imagesDir: string): Promise<void> {
  for (const im of dataset.images) {
    const path = join(imagesDir, im.file);
    if (!existsSync(path)) throw new DetsegInputError('image file is missing', { file: path });
    const size = await readImageSize(path);
    if (size.width !== im.width || size.height !== im.height) {
      throw new DetsegInputError(`image is ${size.width}×${size.height} but the annotations say ${im.width}×${im.height}`, { file: path });
    }
  }
}

/** Reads a dataset in `format` from `input` (a COCO JSON file, or a folder of per-image label files). */
export async function readDataset(format: DatasetFormat, input: string, options: ReadDatasetOptions = {}): Promise<DetectionDataset> {
  if (!existsSync(input)) throw new DetsegInputError('input does not exist', { file: input });
  const needsImages = format === 'yolo' || format === 'kitti';
  if (needsImages && !options.imagesDir) throw new DetsegInputError(`${format} labels have no image sizes: pass the image folder`, { field: '--images' });
  switch (format) {
    case 'coco': {
      const d = readCocoDataset(input);
      if (options.imagesDir) await checkImageFiles(d, options.imagesDir);
      return d;
    }
    case 'voc': {
      const d = readVocDir(input, { classNames: options.classNames, pixelOffset: options.vocOneBased ? 1 : 0 });
      if (options.imagesDir) await checkImageFiles(d, options.imagesDir);
      return d;
    }
    case 'yolo':
      return readYoloDataset(input, options.imagesDir!, { classNames: options.classNames });
    case 'kitti':
      return readKittiDataset(input, options.imagesDir!, { classNames: options.classNames });
  }
}

/** What {@link writeDataset} wrote. */
export interface WriteSummary {
  images: number;
  objects: number;
  /** Objects the target format cannot hold (YOLO: crowd and difficult ones). */
  skipped: number;
}

/**
 * Writes `dataset` in `format` to `out` (a JSON file for COCO, a folder otherwise), atomically: a failed
 * conversion leaves nothing behind. A folder output must be absent or empty unless `overwrite`.
 */
export async function writeDataset(format: DatasetFormat, dataset: DetectionDataset, out: string, options: { overwrite?: boolean; vocOneBased?: boolean } = {}): Promise<WriteSummary> {
  // Label files are too common a sight to tell an earlier output from a user's folder: any non-empty
  // folder needs `overwrite`.
  if (format !== 'coco') checkReplaceableDir(out, () => false, options.overwrite);
  if (format === 'coco' && existsSync(out) && statSync(out).isDirectory()) throw new DetsegInputError('COCO output must be a .json file path, not a folder', { file: out });
  const objects = dataset.images.reduce((s, im) => s + im.labels.length, 0);
  let skipped = 0;
  switch (format) {
    case 'coco':
      writeCocoDataset(dataset, out);
      break;
    case 'voc':
      await writeVocDir(dataset, out, { pixelOffset: options.vocOneBased ? 1 : 0 });
      break;
    case 'yolo':
      skipped = (await writeYoloDir(dataset, out)).skipped;
      break;
    case 'kitti':
      await writeKittiDir(dataset, out);
      break;
  }
  return { images: dataset.images.length, objects: objects - skipped, skipped };
}
