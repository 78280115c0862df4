import type { CocoSegmentation } from '../masks/coco-segmentation.js';
import { basename, extname } from 'node:path';
import { DetsegInputError } from '../util/errors.js';

/**
 * The in-memory detection dataset every format reader produces and every writer consumes: images with
 * their size, and per image flat typed arrays of boxes and labels plus the flags the formats carry.
 *
 * Coordinates are continuous pixels (see `src/boxes/types.ts`): a box (0, 0, 10, 10) covers the
 * 10×10 top-left pixels. Pascal VOC's 1-based inclusive pixel indices are converted on read and write
 * (see `voc.ts`), YOLO's normalized centres too (see `yolo.ts`).
 */
export interface DetectionDataset {
  /** Class names; `labels` index into this list (0-based, no background entry). */
  classNames: string[];
  /**
   * Optional COCO category id of each class (same length as `classNames`), kept so that a COCO file read
   * and written again keeps its ids. Writers without ids (YOLO) drop it.
   */
  categoryIds?: number[];
  images: DatasetImage[];
}

/** One image and its objects. All per-object arrays have the same length N. */
export interface DatasetImage {
  /** Image file name, relative to the image folder (e.g. `000000000009.jpg`). */
  file: string;
  /** Width and height in pixels. */
  width: number;
  height: number;
  /** Optional numeric id (COCO image id). */
  id?: number;
  /** `Float32Array [N,4]` xyxy, pixels. */
  boxes: Float32Array;
  /** `Int32Array [N]` class index into `DetectionDataset.classNames`. */
  labels: Int32Array;
  /** `Uint8Array [N]` 1 for a COCO crowd region (ignored by evaluation, no YOLO label). */
  iscrowd: Uint8Array;
  /** `Uint8Array [N]` 1 for a Pascal VOC "difficult" object (ignored by VOC evaluation). */
  difficult: Uint8Array;
  /** `Float32Array [N]` truncation: VOC's 0/1 flag, KITTI's fraction in [0, 1]. */
  truncated: Float32Array;
  /** Optional `Int8Array [N]` KITTI occlusion state: 0 visible, 1 partly, 2 largely occluded, 3 unknown. */
  occluded?: Int8Array;
  /**
   * Optional `Float32Array [N,8]` KITTI 3-D fields per object: alpha (rad), height, width, length (m),
   * location x, y, z (m, camera coordinates), rotation_y (rad).
   */
  kitti3d?: Float32Array;
  /** Optional COCO segmentation (polygons or RLE) per object; `undefined` where an object has none. */
  segmentations?: (CocoSegmentation | undefined)[];
  /** Optional `Float64Array [N]` object areas in px² as a COCO file gave them (mask area, not box area). */
  areas?: Float64Array;
  /** Optional `Float32Array [M,4]` xyxy regions to ignore (KITTI "DontCare"). */
  ignore?: Float32Array;
}

/** Fields of a {@link DatasetImage} that are per-object arrays (filled by {@link makeImage}). */
export interface ObjectArrays {
  boxes: ArrayLike<number>;
  labels: ArrayLike<number>;
  iscrowd?: ArrayLike<number>;
  difficult?: ArrayLike<number>;
  truncated?: ArrayLike<number>;
}

/**
 * Builds a {@link DatasetImage} from plain arrays: `boxes` `[N,4]` xyxy px, `labels [N]`; missing flag
 * arrays are zeros.
 */
export function makeImage(file: string, width: number, height: number, objects: ObjectArrays, extra: Partial<DatasetImage> = {}): DatasetImage {
  const n = objects.labels.length;
  if (objects.boxes.length !== 4 * n) throw new Error(`makeImage: ${objects.boxes.length} box numbers for ${n} labels`);
  return {
    file,
    width,
    height,
    boxes: Float32Array.from(objects.boxes),
    labels: Int32Array.from(objects.labels),
    iscrowd: objects.iscrowd ? Uint8Array.from(objects.iscrowd) : new Uint8Array(n),
    difficult: objects.difficult ? Uint8Array.from(objects.difficult) : new Uint8Array(n),
    truncated: objects.truncated ? Float32Array.from(objects.truncated) : new Float32Array(n),
    ...extra,
  };
}

/** Number of objects of an image. */
export function objectCount(image: DatasetImage): number {
  return image.labels.length;
}

/**
 * Checks a whole dataset: image sizes positive, boxes finite with x1 ≤ x2, y1 ≤ y2 and inside the image
 * (to `tolerancePx`), labels in range. Throws a {@link DetsegInputError} naming `file`, the image and the
 * object index.
 */
export function validateDataset(dataset: DetectionDataset, file?: string, tolerancePx = 1): void {
  const k = dataset.classNames.length;
  dataset.images.forEach((img, i) => {
    const where = `images[${i}] (${img.file})`;
    if (!(img.width > 0 && img.height > 0)) throw new DetsegInputError(`image size must be positive, got ${img.width}×${img.height}`, { file, field: `${where}.width/height` });
    const n = img.labels.length;
    for (let j = 0; j < n; j++) {
      const x1 = img.boxes[4 * j], y1 = img.boxes[4 * j + 1], x2 = img.boxes[4 * j + 2], y2 = img.boxes[4 * j + 3];
      const field = `${where}.objects[${j}]`;
      if (!(Number.isFinite(x1) && Number.isFinite(y1) && Number.isFinite(x2) && Number.isFinite(y2))) {
        throw new DetsegInputError(`box has a non-finite coordinate [${x1}, ${y1}, ${x2}, ${y2}]`, { file, field });
      }
      if (x2 < x1 || y2 < y1) throw new DetsegInputError(`box has negative width or height [${x1}, ${y1}, ${x2}, ${y2}]`, { file, field });
      if (x1 < -tolerancePx || y1 < -tolerancePx || x2 > img.width + tolerancePx || y2 > img.height + tolerancePx) {
        throw new DetsegInputError(`box [${x1}, ${y1}, ${x2}, ${y2}] lies outside the ${img.width}×${img.height} image`, { file, field });
      }
      const label = img.labels[j];
      if (!(label >= 0 && label < k)) throw new DetsegInputError(`class index ${label} is not in 0..${k - 1}`, { file, field });
    }
  });
}

/**
 * Index of each class name, for the readers that meet classes by name (VOC, KITTI). Unknown names are
 * appended when `grow` is true, else rejected by the caller.
 */
export class ClassIndex {
  readonly names: string[];
  private readonly byName = new Map<string, number>();

  constructor(names: string[] = [], readonly grow = true) {
    this.names = [...names];
    this.names.forEach((n, i) => this.byName.set(n, i));
  }

  /** Index of `name`, adding it when growing; `-1` for an unknown name of a fixed list. */
  indexOf(name: string): number {
    const found = this.byName.get(name);
    if (found !== undefined) return found;
    if (!this.grow) return -1;
    this.names.push(name);
    this.byName.set(name, this.names.length - 1);
    return this.names.length - 1;
  }
}

/** Stem of a file name: `a/b/000000000009.jpg` → `000000000009` (per-image label files are `<stem>.txt`). */
export function fileStem(file: string): string {
  return basename(file, extname(file));
}

/**
 * The per-image label file names (`<stem><ext>`) of a dataset, in image order. Two images with the same
 * stem would overwrite each other's labels: that throws a {@link DetsegInputError}.
 */
export function labelFileNames(dataset: DetectionDataset, ext: string): string[] {
  const seen = new Set<string>();
  return dataset.images.map((im, i) => {
    const name = `${fileStem(im.file)}${ext}`;
    if (seen.has(name)) throw new DetsegInputError(`two images map to the same label file ${name}`, { field: `images[${i}].file` });
    seen.add(name);
    return name;
  });
}
