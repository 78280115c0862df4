import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DetsegInputError } from '../util/errors.js';
import { writeDirAtomic } from '../util/atomic.js';
import { fileStem, labelFileNames, makeImage, validateDataset, type DatasetImage, type DetectionDataset } from './dataset.js';
import { listImages, type ImageEntry } from './images.js';
import { readTextFile } from './json-text.js';
import { shortestDecimal } from './number-text.js';
import { formatYoloYaml, parseYoloYaml } from './yolo-yaml.js';

/**
 * YOLO (darknet / ultralytics) labels: one text file per image, `<stem>.txt`, one object per line
 * `class cx cy w h`, the box centre and size normalized by the image width and height. Images without a
 * label file have no objects. The class names come from a data YAML (`yolo-yaml.ts`) or a darknet
 * `*.names` file (one name per line). YOLO has no image sizes, so reading needs the images (or a list of
 * their sizes), and no crowd/difficult flags: the writer leaves crowd regions and difficult objects out
 * (as ultralytics' COCO and VOC converters do) and counts them.
 */

/**
 * Finds the class names next to YOLO labels: the one `*.yaml`/`*.yml` data file of `dir`, else its one
 * `*.names` file. Returns `undefined` when there is none.
 */
export function findYoloNames(dir: string): string[] | undefined {
  const files = readdirSync(dir).sort();
  const yaml = files.filter((f) => /\.ya?ml$/i.test(f));
  if (yaml.length > 1) throw new DetsegInputError(`holds several YAML files (${yaml.join(', ')}); pass the class names with --classes`, { file: dir });
  if (yaml.length === 1) return readYoloNamesFile(join(dir, yaml[0]));
  const names = files.filter((f) => /\.names$/i.test(f));
  if (names.length === 1) return readYoloNamesFile(join(dir, names[0]));
  return undefined;
}

/** Class names from a data YAML or a darknet `.names` file (one name per line). */
export function readYoloNamesFile(file: string): string[] {
  const text = readTextFile(file);
  if (/\.ya?ml$/i.test(file)) return parseYoloYaml(text, file).names;
  const names = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new DetsegInputError('no class names', { file });
  return names;
}

/**
 * Parses one label file's text for an image of `width`×`height` px. Errors name `file` and the line:
 * wrong field count, non-numbers, class ids out of `0..classCount-1`, normalized values outside [0, 1]
 * (1e-6 slack) or negative sizes.
 */
export function parseYoloLabels(text: string, file: string, width: number, height: number, classCount: number): { boxes: Float32Array; labels: Int32Array } {
  const lines = text.split(/\r?\n/);
  const boxes: number[] = [];
  const labels: number[] = [];
  const eps = 1e-6;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = { file, field: `line ${i + 1}` };
    const parts = line.split(/\s+/);
    if (parts.length !== 5) throw new DetsegInputError(`expected 5 fields "class cx cy w h", got ${parts.length}`, where);
    const v = parts.map(Number);
    if (!v.every(Number.isFinite)) throw new DetsegInputError(`non-numeric field in ${JSON.stringify(line)}`, where);
    const [cls, cx, cy, w, h] = v;
    if (!Number.isInteger(cls) || cls < 0 || cls >= classCount) throw new DetsegInputError(`class id ${parts[0]} is not in 0..${classCount - 1}`, where);
    if (w < 0 || h < 0) throw new DetsegInputError(`negative box size in ${JSON.stringify(line)}`, where);
    if (cx - w / 2 < -eps || cy - h / 2 < -eps || cx + w / 2 > 1 + eps || cy + h / 2 > 1 + eps) {
      throw new DetsegInputError(`box ${JSON.stringify(line)} lies outside the image (normalized values must be in [0, 1])`, where);
    }
    boxes.push((cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height);
    labels.push(cls);
  });
  return { boxes: Float32Array.from(boxes), labels: Int32Array.from(labels) };
}

/** Options of {@link readYoloLabels}. */
export interface YoloReadOptions {
  /** Class names; default: found beside the labels by {@link findYoloNames}. */
  classNames?: string[];
}

/**
 * Reads the YOLO labels of `labelsDir` for the given images (file names and sizes, in order). A label
 * file whose image is not in the list is an error (a missing image); an image without a label file has
 * no objects.
 */
export function readYoloLabels(labelsDir: string, images: ImageEntry[], options: YoloReadOptions = {}): DetectionDataset {
  if (!existsSync(labelsDir)) throw new DetsegInputError('the YOLO label folder does not exist', { file: labelsDir });
  const classNames = options.classNames ?? findYoloNames(labelsDir);
  if (!classNames) throw new DetsegInputError('no class names: put a data YAML or a .names file beside the labels, or pass them', { file: labelsDir });
  const byStem = new Map<string, ImageEntry>();
  for (const im of images) byStem.set(fileStem(im.file), im);
  for (const f of readdirSync(labelsDir)) {
    if (f.endsWith('.txt') && !byStem.has(fileStem(f)) && f !== 'classes.txt') {
      throw new DetsegInputError(`label file has no image (looked for ${fileStem(f)}.* among ${images.length} images)`, { file: join(labelsDir, f) });
    }
  }
  const out: DatasetImage[] = images.map((im) => {
    const path = join(labelsDir, `${fileStem(im.file)}.txt`);
    const parsed = existsSync(path) ? parseYoloLabels(readFileSync(path, 'utf8'), path, im.width, im.height, classNames.length) : { boxes: new Float32Array(0), labels: new Int32Array(0) };
    return makeImage(im.file, im.width, im.height, parsed);
  });
  return { classNames: [...classNames], images: out };
}

/** Reads YOLO labels with the image sizes taken from the image files of `imagesDir`. */
export async function readYoloDataset(labelsDir: string, imagesDir: string, options: YoloReadOptions = {}): Promise<DetectionDataset> {
  return readYoloLabels(labelsDir, await listImages(imagesDir), options);
}

/**
 * Label file text of one image. Numbers are the shortest decimals (≥ 6 significant digits) that read
 * back to the same float32 box. Crowd and difficult objects are left out; returns how many.
 */
export function yoloLabelText(image: DatasetImage): { text: string; skipped: number } {
  const lines: string[] = [];
  let skipped = 0;
  const { width: W, height: H } = image;
  for (let j = 0; j < image.labels.length; j++) {
    if (image.iscrowd[j] || image.difficult[j]) {
      skipped++;
      continue;
    }
    const x1 = image.boxes[4 * j], y1 = image.boxes[4 * j + 1], x2 = image.boxes[4 * j + 2], y2 = image.boxes[4 * j + 3];
    const fields = [0, 1].flatMap((axis) => {
      const [a, b, size] = axis === 0 ? [x1, x2, W] : [y1, y2, H];
      // Find the shortest centre text, then the shortest extent text that together restore a and b.
      let c = 0;
      let cText = '';
      let eText = '';
      for (let digits = 6; digits <= 17; digits++) {
        c = Number((((a + b) / 2) / size).toPrecision(digits));
        eText = shortestDecimal((b - a) / size, (e) => Math.fround((c - e / 2) * size) === a && Math.fround((c + e / 2) * size) === b);
        const e = Number(eText);
        if (Math.fround((c - e / 2) * size) === a && Math.fround((c + e / 2) * size) === b) {
          cText = String(c);
          break;
        }
      }
      if (cText === '') cText = String(((a + b) / 2) / size);
      return [cText, eText];
    });
    lines.push(`${image.labels[j]} ${fields[0]} ${fields[2]} ${fields[1]} ${fields[3]}`);
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', skipped };
}

/**
 * Validates `dataset` and writes `<stem>.txt` per image (empty for an image without objects) and
 * `data.yaml` with the class names into `dir`, atomically. Returns the number of objects left out.
 */
export async function writeYoloDir(dataset: DetectionDataset, dir: string, yaml: { path?: string; train?: string; val?: string } = {}): Promise<{ skipped: number }> {
  validateDataset(dataset);
  const names = labelFileNames(dataset, '.txt');
  let skipped = 0;
  await writeDirAtomic(dir, (tmp) => {
    dataset.images.forEach((im, i) => {
      const r = yoloLabelText(im);
      skipped += r.skipped;
      writeFileSync(join(tmp, names[i]), r.text);
    });
    writeFileSync(join(tmp, 'data.yaml'), formatYoloYaml({ path: yaml.path ?? '.', train: yaml.train ?? 'images', val: yaml.val ?? 'images', names: dataset.classNames }));
  });
  return { skipped };
}
