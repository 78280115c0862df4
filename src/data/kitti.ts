import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DetsegInputError } from '../util/errors.js';
import { writeDirAtomic } from '../util/atomic.js';
import { ClassIndex, fileStem, labelFileNames, makeImage, validateDataset, type DatasetImage, type DetectionDataset } from './dataset.js';
import { listImages, type ImageEntry } from './images.js';
import { float32Text } from './number-text.js';

/**
 * KITTI object labels (`label_2/<stem>.txt`), one object per line of 15 fields (16 with a score):
 * `type truncated occluded alpha left top right bottom height width length x y z rotation_y`.
 * Boxes are in pixels (left, top, right, bottom: detseg's xyxy). `DontCare` lines are regions to ignore
 * (they become `DatasetImage.ignore`); crowd regions are written as `DontCare` too. Fields a source
 * format lacks are written with KITTI's "unset" values: occluded 3 (unknown), alpha −10, dimensions −1,
 * location −1000, rotation_y −10. Class names with spaces get underscores (the format splits on spaces).
 * KITTI has no image size in its labels: reading needs the images (or a list of their sizes).
 */

/** The KITTI object classes, in the devkit's order (without DontCare). */
export const KITTI_CLASSES = ['Car', 'Van', 'Truck', 'Pedestrian', 'Person_sitting', 'Cyclist', 'Tram', 'Misc'];

/** KITTI's ignore-region type. */
export const KITTI_DONT_CARE = 'DontCare';

/** Unset 3-D fields: alpha, h, w, l, x, y, z, rotation_y. */
const UNSET_3D = [-10, -1, -1, -1, -1000, -1000, -1000, -10];

/** One image's parsed label lines, before class names are fixed. */
interface ParsedKitti {
  names: string[];
  boxes: number[];
  truncated: number[];
  occluded: number[];
  kitti3d: number[];
  ignore: number[];
}

/** Parses a KITTI label file's text; errors name `file` and the line (and field). */
export function parseKittiLabels(text: string, file: string, width: number, height: number): ParsedKitti {
  const out: ParsedKitti = { names: [], boxes: [], truncated: [], occluded: [], kitti3d: [], ignore: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const parts = line.split(/\s+/);
    const where = { file, field: `line ${i + 1}` };
    if (parts.length !== 15 && parts.length !== 16) throw new DetsegInputError(`expected 15 fields (type truncated occluded alpha bbox[4] dimensions[3] location[3] rotation_y), got ${parts.length}`, where);
    const v = parts.slice(1).map(Number);
    const bad = v.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new DetsegInputError(`field ${bad + 2} is not a number: ${JSON.stringify(parts[bad + 1])}`, where);
    const [trunc, occ, alpha, l, t, r, b, h, w, len, x, y, z, ry] = v;
    if (r < l || b < t) throw new DetsegInputError(`bbox has negative size (${l}, ${t}, ${r}, ${b})`, { file, field: `line ${i + 1} bbox` });
    if (l < -1 || t < -1 || r > width + 1 || b > height + 1) throw new DetsegInputError(`bbox (${l}, ${t}, ${r}, ${b}) lies outside the ${width}×${height} image`, { file, field: `line ${i + 1} bbox` });
    if (parts[0] === KITTI_DONT_CARE) {
      out.ignore.push(l, t, r, b);
      return;
    }
    if (!Number.isInteger(occ) || occ < 0 || occ > 3) throw new DetsegInputError(`occluded must be 0, 1, 2 or 3, got ${parts[2]}`, { file, field: `line ${i + 1} occluded` });
    out.names.push(parts[0]);
    out.boxes.push(l, t, r, b);
    out.truncated.push(trunc);
    out.occluded.push(occ);
    out.kitti3d.push(alpha, h, w, len, x, y, z, ry);
  });
  return out;
}

/** Options of {@link readKittiLabels}. */
export interface KittiReadOptions {
  /**
   * Class names, fixing label order; an unknown type is an error. Default: {@link KITTI_CLASSES} when
   * every type found belongs to them, else the sorted list of types found.
   */
  classNames?: string[];
}

/** Reads the KITTI labels of `labelsDir` for the given images (a label file without image is an error). */
export function readKittiLabels(labelsDir: string, images: ImageEntry[], options: KittiReadOptions = {}): DetectionDataset {
  if (!existsSync(labelsDir)) throw new DetsegInputError('the KITTI label folder does not exist', { file: labelsDir });
  const stems = new Set(images.map((im) => fileStem(im.file)));
  for (const f of readdirSync(labelsDir)) {
    if (f.endsWith('.txt') && !stems.has(fileStem(f))) throw new DetsegInputError(`label file has no image (looked for ${fileStem(f)}.*)`, { file: join(labelsDir, f) });
  }
  const parsed = images.map((im) => {
    const path = join(labelsDir, `${fileStem(im.file)}.txt`);
    return { path, p: existsSync(path) ? parseKittiLabels(readFileSync(path, 'utf8'), path, im.width, im.height) : parseKittiLabels('', path, im.width, im.height) };
  });
  let classNames = options.classNames;
  if (!classNames) {
    const found = new Set(parsed.flatMap(({ p }) => p.names));
    classNames = [...found].every((n) => KITTI_CLASSES.includes(n)) ? [...KITTI_CLASSES] : [...found].sort();
  }
  const classes = new ClassIndex(classNames, false);
  const out: DatasetImage[] = images.map((im, i) => {
    const { path, p } = parsed[i];
    const labels = p.names.map((name, j) => {
      const k = classes.indexOf(name);
      if (k < 0) throw new DetsegInputError(`unknown object type ${JSON.stringify(name)} (known: ${classNames!.join(', ')})`, { file: path, field: `object ${j} type` });
      return k;
    });
    return makeImage(im.file, im.width, im.height, { boxes: p.boxes, labels, truncated: p.truncated }, {
      occluded: Int8Array.from(p.occluded),
      kitti3d: Float32Array.from(p.kitti3d),
      ignore: Float32Array.from(p.ignore),
    });
  });
  return { classNames: [...classNames], images: out };
}

/** Reads KITTI labels with the image sizes taken from the image files of `imagesDir`. */
export async function readKittiDataset(labelsDir: string, imagesDir: string, options: KittiReadOptions = {}): Promise<DetectionDataset> {
  return readKittiLabels(labelsDir, await listImages(imagesDir), options);
}

/** KITTI label file text of one image (objects, then crowd and ignore regions as DontCare). */
export function kittiLabelText(image: DatasetImage, classNames: string[]): string {
  const lines: string[] = [];
  const dontCare: string[] = [];
  const box = (b: ArrayLike<number>, j: number) => [b[4 * j], b[4 * j + 1], b[4 * j + 2], b[4 * j + 3]].map(float32Text).join(' ');
  for (let j = 0; j < image.labels.length; j++) {
    if (image.iscrowd[j]) {
      dontCare.push(`${KITTI_DONT_CARE} -1 -1 -10 ${box(image.boxes, j)} -1 -1 -1 -1000 -1000 -1000 -10`);
      continue;
    }
    const name = classNames[image.labels[j]].replace(/\s+/g, '_');
    const occ = image.occluded ? image.occluded[j] : 3;
    const d3 = image.kitti3d ? Array.from(image.kitti3d.subarray(8 * j, 8 * j + 8)) : UNSET_3D;
    const [alpha, ...rest] = d3.map(float32Text);
    lines.push(`${name} ${float32Text(image.truncated[j])} ${occ} ${alpha} ${box(image.boxes, j)} ${rest.join(' ')}`);
  }
  const ig = image.ignore ?? new Float32Array(0);
  for (let j = 0; j < ig.length / 4; j++) dontCare.push(`${KITTI_DONT_CARE} -1 -1 -10 ${box(ig, j)} -1 -1 -1 -1000 -1000 -1000 -10`);
  const all = [...lines, ...dontCare];
  return all.length ? `${all.join('\n')}\n` : '';
}

/** Validates `dataset` and writes `<stem>.txt` per image into `dir`, atomically. */
export async function writeKittiDir(dataset: DetectionDataset, dir: string): Promise<void> {
  validateDataset(dataset);
  const names = labelFileNames(dataset, '.txt');
  await writeDirAtomic(dir, (tmp) => {
    dataset.images.forEach((im, i) => writeFileSync(join(tmp, names[i]), kittiLabelText(im, dataset.classNames)));
  });
}
