import { existsSync, readdirSync, statSync } from 'node:fs';
import { readTextFile } from '../data/json-text.js';
import { basename, extname, join } from 'node:path';
import { readVocAnnotation } from '../data/voc.js';
import { parseDetectionText, parseGroundTruthText, type TextBoxes, type TextBoxFormat } from '../data/voc-eval-io.js';
import { DetsegInputError } from '../util/errors.js';
import type { VocDataset, VocImage } from './voc.js';

/**
 * Reading a VOC evaluation set from two folders, one file per image with the same base name:
 * ground truth as Pascal VOC XML (`<object><name>`, `<difficult>`, `<bndbox>`) or text lines, detections
 * as text lines (formats in `data/voc-eval-io.ts`). Evaluation takes the class, difficult flag and box
 * of each object (parts and other fields are ignored).
 *
 * The XML itself is read by `data/voc.ts`'s `readVocAnnotation`, the same reader as the dataset
 * converter's; only what follows differs: the dataset reader may turn VOC's 1-based inclusive pixels
 * into continuous coordinates, stores float32, and requires `<size>` and boxes inside the image, while
 * evaluation compares the devkit's raw numbers, in double, with detections written in the same
 * convention (the devkit and Padilla's tools do), with or without `--plus-one`.
 */

/**
 * Reads the objects of one Pascal VOC annotation XML: class name, difficult flag (absent = 0) and
 * `bndbox` (xmin, ymin, xmax, ymax in pixels, devkit convention, taken as xyxy as they are). The XML is
 * read by the dataset reader's {@link readVocAnnotation} (same checks, same errors); `<size>` is not
 * required here. `file` names the source in error messages. An annotation without objects gives empty arrays.
 */
export function parseVocXmlObjects(xml: string, file: string): TextBoxes {
  const { objects } = readVocAnnotation(xml, file);
  const n = objects.length;
  const boxes = new Float64Array(4 * n);
  const difficult = new Uint8Array(n);
  objects.forEach((o, k) => {
    const [xmin, ymin, xmax, ymax] = o.bndbox;
    if (xmax < xmin || ymax < ymin) {
      throw new DetsegInputError(`xmax/ymax (${xmax}, ${ymax}) before xmin/ymin (${xmin}, ${ymin})`, { file, field: `object[${k}].bndbox` });
    }
    boxes.set(o.bndbox, 4 * k);
    difficult[k] = o.difficult;
  });
  return { classNames: objects.map((o) => o.name), boxes, scores: new Float64Array(0), difficult };
}

/** Options of {@link loadVocEvalFolders}. */
export interface VocFolderOptions {
  /** Layout of detection boxes in text files (default xywh). */
  detFormat?: TextBoxFormat;
  /** Layout of ground-truth boxes in text files (default xywh; XML is always xmin ymin xmax ymax). */
  gtFormat?: TextBoxFormat;
  /** Class names by id: maps integer class tokens in text files, and fixes the class order. */
  names?: readonly string[];
}

/** A loaded evaluation set, with the files read and notes for the user (e.g. images without detections). */
export interface LoadedVocSet {
  dataset: VocDataset;
  gtFiles: string[];
  dtFiles: string[];
  warnings: string[];
}

function listFiles(dir: string, exts: string[], what: string): Map<string, string> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DetsegInputError(`is not a folder`, { file: dir, field: what });
  const byBase = new Map<string, string>();
  for (const f of readdirSync(dir).sort()) {
    const ext = extname(f).toLowerCase();
    if (!exts.includes(ext)) continue;
    const base = basename(f, extname(f));
    const prev = byBase.get(base);
    if (prev !== undefined) throw new DetsegInputError(`two ${what} files for image '${base}': ${prev} and ${f}`, { file: dir });
    byBase.set(base, join(dir, f));
  }
  return byBase;
}

/**
 * Loads ground truth (`gtDir`: `.xml` or `.txt` per image) and detections (`dtDir`: `.txt` per image)
 * into a {@link VocDataset}. Images are the ground-truth files in name order (an image without a
 * detection file has no detections); a detection file without a ground-truth file is an error (the
 * devkit rejects unknown images). Classes are `names` (when given) followed by any other class seen,
 * in name order.
 */
export function loadVocEvalFolders(gtDir: string, dtDir: string, options: VocFolderOptions = {}): LoadedVocSet {
  const gtByBase = listFiles(gtDir, ['.xml', '.txt'], 'ground truth');
  const dtByBase = listFiles(dtDir, ['.txt'], 'detections');
  if (gtByBase.size === 0) throw new DetsegInputError('holds no .xml or .txt ground-truth file', { file: gtDir });
  for (const [base, file] of dtByBase) {
    if (!gtByBase.has(base)) throw new DetsegInputError(`detections for image '${base}', which has no ground-truth file in ${gtDir}`, { file });
  }
  const warnings: string[] = [];
  const parsed: { name: string; gt: TextBoxes; dt: TextBoxes }[] = [];
  for (const [base, gtFile] of gtByBase) {
    const gtText = readTextFile(gtFile);
    const gt = gtFile.toLowerCase().endsWith('.xml') ? parseVocXmlObjects(gtText, gtFile) : parseGroundTruthText(gtText, gtFile, options.gtFormat ?? 'xywh', options.names);
    const dtFile = dtByBase.get(base);
    const dt = dtFile ? parseDetectionText(readTextFile(dtFile), dtFile, options.detFormat ?? 'xywh', options.names) : parseDetectionText('', base);
    parsed.push({ name: base, gt, dt });
  }
  const missing = gtByBase.size - dtByBase.size;
  if (missing > 0) warnings.push(`${missing} of ${gtByBase.size} images have no detection file (no detections)`);
  const classNames = [...(options.names ?? [])];
  const known = new Set(classNames);
  const extra = new Set<string>();
  for (const p of parsed) for (const c of [...p.gt.classNames, ...p.dt.classNames]) if (!known.has(c)) extra.add(c);
  classNames.push(...[...extra].sort());
  const id = new Map(classNames.map((c, i) => [c, i]));
  const images: VocImage[] = parsed.map(({ name, gt, dt }) => ({
    name,
    gtBoxes: gt.boxes,
    gtClasses: Int32Array.from(gt.classNames, (c) => id.get(c)!),
    gtDifficult: gt.difficult,
    dtBoxes: dt.boxes,
    dtClasses: Int32Array.from(dt.classNames, (c) => id.get(c)!),
    dtScores: dt.scores,
  }));
  return { dataset: { classNames, images }, gtFiles: [...gtByBase.values()], dtFiles: [...dtByBase.values()], warnings };
}
