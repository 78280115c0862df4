import { datasetToCoco } from '../data/coco.js';
import { maskToCocoRle } from '../masks/coco-mask.js';
import { boxIou } from '../boxes/iou.js';
import { evaluateCocoJson, type CocoEvalResult } from '../eval/coco.js';
import type { Detector, DetectorFamily } from '../models/detection/detector.js';
import type { Detections } from '../models/detection/types.js';
import type { DetectionData } from './dataset.js';
import { detectPreparedWith, toOriginal } from './infer.js';
import type { OnnxDetector } from '../onnx/detector.js';
import { prepareSample } from './samples.js';

/**
 * Validation of a detector on a dataset, as pycocotools scores it: every image letterboxed to `imgsz`,
 * detected, mapped back to its pixels, and the detections evaluated against the dataset's ground
 * truth (bbox, and segm for a mask model on data with masks) — the 12 COCO statistics, plus a per-class
 * table (images, instances, P, R, AP50, AP).
 */

/** One row of the per-class table. */
export interface ClassRow {
  name: string;
  /** Images holding the class, and its non-crowd instances. */
  images: number;
  instances: number;
  /**
   * Precision and recall at IoU 0.5 at the point of the interpolated PR curve (101 recall points,
   * COCOeval's, area all, 100 detections) with the highest F1.
   */
  p: number;
  r: number;
  ap50: number;
  ap: number;
}

/** What {@link validate} measured. */
export interface ValResult {
  bbox: CocoEvalResult;
  segm?: CocoEvalResult;
  perClass: ClassRow[];
  /** COCO results (original pixels; `image_id` as the dataset's, `file_name`, `category`). */
  results: Array<Record<string, unknown>>;
  /** Per image: the detections in original pixels. */
  detections: Detections[];
  /** Mean milliseconds per image of the whole pass (decode, letterbox, network, post-processing). */
  msPerImage: number;
}

/** Options of {@link validate}. */
export interface ValOptions {
  imgsz: number;
  /** Images per network call (default 1). */
  batch?: number;
  /** Evaluate masks too (default: when the model has masks and the data has segmentations). */
  segm?: boolean;
  /** Progress callback (images done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** P, R per class at the best-F1 point of the IoU-0.5 PR curve; AP50 and AP from the same evaluation. */
function classRows(data: DetectionData, coco: CocoEvalResult): ClassRow[] {
  const { R, K, A, M } = coco.dims;
  return data.classes.map((name, k) => {
    let images = 0, instances = 0;
    for (const im of data.dataset.images) {
      let here = 0;
      for (let j = 0; j < im.labels.length; j++) if (im.labels[j] === k && !im.iscrowd[j]) here++;
      instances += here;
      if (here) images++;
    }
    let best = { f1: -1, p: 0, r: 0 };
    let sum50 = 0, n50 = 0;
    for (let ri = 0; ri < R; ri++) {
      const p = coco.precision[(((0 * R + ri) * K + k) * A + 0) * M + (M - 1)];
      if (p < 0) continue;
      sum50 += p;
      n50++;
      const r = ri / (R - 1);
      const f1 = p + r > 0 ? (2 * p * r) / (p + r) : 0;
      if (p > 0 && f1 > best.f1) best = { f1, p, r };
    }
    const ap = coco.perClass[k]?.ap ?? -1;
    return { name, images, instances, p: best.p, r: best.r, ap50: n50 ? sum50 / n50 : -1, ap };
  });
}

/** Runs `model` (TF.js, or on ONNX Runtime) over every image of `data` and evaluates the detections (see the file comment). */
export async function validate(model: Detector | OnnxDetector, family: DetectorFamily, data: DetectionData, options: ValOptions): Promise<ValResult> {
  const { imgsz } = options;
  const batch = options.batch ?? 1;
  const n = data.dataset.images.length;
  const segm = options.segm ?? (family.masks && data.hasMasks);
  const gt = datasetToCoco(data.dataset);
  const detections: Detections[] = [];
  const results: Array<Record<string, unknown>> = [];
  const t0 = performance.now();
  for (let start = 0; start < n; start += batch) {
    const samples = await Promise.all(Array.from({ length: Math.min(batch, n - start) }, (_, b) => prepareSample(data, start + b, 0, { imgsz })));
    const dets = await detectPreparedWith(model, family, samples, imgsz);
    dets.forEach((d, b) => {
      const i = start + b;
      const im = data.dataset.images[i];
      const o = toOriginal(d, samples[b].letterbox, im.width, im.height, imgsz);
      detections.push(o);
      const imageId = gt.images[i].id;
      for (let j = 0; j < o.labels.length; j++) {
        const [x1, y1, x2, y2] = o.boxes.subarray(4 * j, 4 * j + 4);
        const c = o.labels[j] - 1;
        const r: Record<string, unknown> = { image_id: imageId, file_name: im.file, category_id: gt.categories[c].id, category: data.classes[c], bbox: [x1, y1, x2 - x1, y2 - y1], score: o.scores[j] };
        if (o.masks && segm) r.segmentation = maskToCocoRle(o.masks[j], im.width, im.height);
        results.push(r);
      }
    });
    options.onProgress?.(Math.min(start + batch, n), n);
  }
  const msPerImage = (performance.now() - t0) / n;
  const bbox = evaluateCocoJson(gt, results, { iouType: 'bbox', gtFile: data.file, dtFile: 'detections' });
  const out: ValResult = { bbox, perClass: classRows(data, bbox), results, detections, msPerImage };
  if (segm) out.segm = evaluateCocoJson(gt, results, { iouType: 'segm', gtFile: data.file, dtFile: 'detections' });
  return out;
}

/** The per-class table as aligned text (Ultralytics' columns). */
export function formatClassTable(rows: ClassRow[], all: { images: number; stats: number[] }): string {
  const f = (v: number) => (v < 0 ? '    -' : v.toFixed(3));
  const width = Math.max(5, ...rows.map((r) => r.name.length));
  const head = `${'class'.padStart(width)} ${'images'.padStart(7)} ${'instances'.padStart(9)}     P     R  AP50    AP`;
  const total = rows.reduce((s, r) => s + r.instances, 0);
  const mean = (key: 'p' | 'r') => rows.filter((r) => r.instances > 0).reduce((s, r, _, a) => s + r[key] / a.length, 0);
  const lines = [head, `${'all'.padStart(width)} ${String(all.images).padStart(7)} ${String(total).padStart(9)} ${f(mean('p'))} ${f(mean('r'))} ${f(all.stats[1])} ${f(all.stats[0])}`];
  for (const r of rows) lines.push(`${r.name.padStart(width)} ${String(r.images).padStart(7)} ${String(r.instances).padStart(9)} ${f(r.p)} ${f(r.r)} ${f(r.ap50)} ${f(r.ap)}`);
  return lines.join('\n');
}

/**
 * Classification + localization scores on one-object images: the accuracy of each image's most
 * confident detection's class, and the mean IoU of its box with the object's box (0 for an image
 * without a detection).
 */
export function singleObjectMetrics(data: DetectionData, detections: Detections[]): { accuracy: number; meanIoU: number } {
  let correct = 0, iouSum = 0;
  detections.forEach((d, i) => {
    const im = data.dataset.images[i];
    if (d.labels.length === 0 || im.labels.length === 0) return;
    if (d.labels[0] - 1 === im.labels[0]) correct++;
    iouSum += boxIou(d.boxes.subarray(0, 4), im.boxes.subarray(0, 4))[0];
  });
  return { accuracy: correct / detections.length, meanIoU: iouSum / detections.length };
}
