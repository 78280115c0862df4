import {
  PANOPTIC_VOID,
  checkSegmentIds,
  imageLabel,
  type PanopticCategory,
  type PanopticSegmentInfo,
} from '../data/coco-panoptic-format.js';
import { DetsegInputError } from '../util/errors.js';

/**
 * Panoptic Quality (Kirillov et al. 2019) with the semantics of the COCO panopticapi evaluator
 * (`pq_compute`), number for number:
 *
 * - a ground-truth and a predicted segment match when their categories are equal, the ground truth is
 *   not crowd, and IoU > 0.5, where union = |pred| + |gt| − |pred ∩ gt| − |pred ∩ void|: the
 *   prediction's pixels on unlabeled ground truth are left out (pixels on crowd regions stay in);
 * - an unmatched non-crowd ground-truth segment is a false negative; crowd segments never count;
 * - an unmatched prediction is a false positive of its category unless more than half of it lies on
 *   void or on the crowd region of its own category;
 * - per category PQ = ΣIoU / (TP + FP/2 + FN/2), SQ = ΣIoU / TP (0 without TP), RQ = TP / (TP + FP/2 + FN/2);
 *   All / Things / Stuff are means over the categories with TP + FP + FN > 0.
 *
 * Areas: a prediction's area is counted in its id map; a ground-truth segment's is its `area` field
 * when present (as panopticapi reads it), else counted. IoUs are summed per image in ascending
 * (gt id, pred id) order and the images' sums added in order, as panopticapi does with one image per
 * worker, so results agree to the last bit or within an ulp.
 */

/** One image for {@link evaluatePanoptic}: `ids: Uint32Array [H, W]` segment ids (0 void) and its segments. */
export interface PanopticFrame {
  imageId: number | string;
  width: number;
  height: number;
  ids: Uint32Array;
  segments: readonly PanopticSegmentInfo[];
  /** Where the frame came from (a PNG path), for error messages. */
  source?: string;
}

/** Counts and summed IoU of one category. */
export interface PanopticCategoryCounts {
  tp: number;
  fp: number;
  fn: number;
  iou: number;
}

/** PQ, SQ, RQ averaged over `n` categories. */
export interface PanopticAverage {
  pq: number;
  sq: number;
  rq: number;
  n: number;
}

/** One category's result. */
export interface PanopticClassResult extends PanopticCategoryCounts {
  name: string;
  isthing: 0 | 1;
  pq: number;
  sq: number;
  rq: number;
}

/** Result of {@link evaluatePanoptic}; `perClass` holds the categories counted in `All.n`, keyed by id. */
export interface PanopticResult {
  All: PanopticAverage;
  Things: PanopticAverage;
  Stuff: PanopticAverage;
  perClass: Record<string, PanopticClassResult>;
}

/** 2²⁴: a (gt id, pred id) pair is keyed gt·2²⁴ + pred, exact in a double (both ids < 2²⁴). */
const OFFSET = 0x1000000;

/**
 * Per-category counts of one image pair. `categories` are the known categories (a prediction with another
 * category is an error, as in panopticapi); `gt` and `pred` must have the same size, and each id map must
 * hold exactly the ids of its segments. Adds into `into` when given, and returns the image's own counts.
 */
export function panopticImageCounts(gt: PanopticFrame, pred: PanopticFrame, categories: ReadonlyMap<number, PanopticCategory> | ReadonlySet<number>): Map<number, PanopticCategoryCounts> {
  const img = imageLabel(gt.imageId);
  if (gt.width !== pred.width || gt.height !== pred.height) {
    throw new DetsegInputError(`${img}: the prediction is ${pred.width}×${pred.height}, the ground truth ${gt.width}×${gt.height}`, { file: pred.source });
  }
  for (const f of [gt, pred]) {
    if (f.ids.length !== f.width * f.height) throw new DetsegInputError(`${img}: ids hold ${f.ids.length} values, not ${f.width}×${f.height}`, { file: f.source });
  }
  const predAreas = checkSegmentIds(pred.ids, { image_id: pred.imageId, file_name: '', segments_info: [...pred.segments] }, { png: pred.source });
  const gtAreas = checkSegmentIds(gt.ids, { image_id: gt.imageId, file_name: '', segments_info: [...gt.segments] }, { png: gt.source });
  for (const f of [pred, gt]) {
    for (const s of f.segments) {
      if (!categories.has(s.category_id)) throw new DetsegInputError(`${img}, segment ${s.id}: unknown category_id ${s.category_id}`, { file: f.source });
    }
  }
  const gtById = new Map(gt.segments.map((s) => [s.id, s]));
  const predById = new Map(pred.segments.map((s) => [s.id, s]));

  // Pixel counts of every (gt id, pred id) pair, accumulated run by run.
  const pairs = new Map<number, number>();
  const n = gt.ids.length;
  let key = -1;
  let run = 0;
  for (let p = 0; p < n; p++) {
    const k = gt.ids[p] * OFFSET + pred.ids[p];
    if (k === key) {
      run++;
      continue;
    }
    if (run > 0) pairs.set(key, (pairs.get(key) ?? 0) + run);
    key = k;
    run = 1;
  }
  if (run > 0) pairs.set(key, (pairs.get(key) ?? 0) + run);

  const counts = new Map<number, PanopticCategoryCounts>();
  const at = (cat: number): PanopticCategoryCounts => {
    let c = counts.get(cat);
    if (c === undefined) counts.set(cat, (c = { tp: 0, fp: 0, fn: 0, iou: 0 }));
    return c;
  };
  const onVoid = (predId: number) => pairs.get(PANOPTIC_VOID * OFFSET + predId) ?? 0;

  const gtMatched = new Set<number>();
  const predMatched = new Set<number>();
  for (const k of [...pairs.keys()].sort((a, b) => a - b)) {
    const gtId = Math.floor(k / OFFSET);
    const predId = k - gtId * OFFSET;
    const g = gtById.get(gtId);
    const q = predById.get(predId);
    if (g === undefined || q === undefined || g.iscrowd === 1 || g.category_id !== q.category_id) continue;
    const inter = pairs.get(k)!;
    const gtArea = g.area ?? gtAreas.get(gtId)!;
    const union = predAreas.get(predId)! + gtArea - inter - onVoid(predId);
    const iou = inter / union;
    if (iou > 0.5) {
      const c = at(g.category_id);
      c.tp++;
      c.iou += iou;
      gtMatched.add(gtId);
      predMatched.add(predId);
    }
  }

  // Unmatched ground truth: crowd regions are remembered per category (the last one listed wins, as in
  // panopticapi; COCO has at most one per category and image), the rest are false negatives.
  const crowdOfCategory = new Map<number, number>();
  for (const g of gt.segments) {
    if (gtMatched.has(g.id)) continue;
    if (g.iscrowd === 1) crowdOfCategory.set(g.category_id, g.id);
    else at(g.category_id).fn++;
  }
  for (const q of pred.segments) {
    if (predMatched.has(q.id)) continue;
    let ignored = onVoid(q.id);
    const crowd = crowdOfCategory.get(q.category_id);
    if (crowd !== undefined) ignored += pairs.get(crowd * OFFSET + q.id) ?? 0;
    if (ignored / predAreas.get(q.id)! > 0.5) continue;
    at(q.category_id).fp++;
  }
  return counts;
}

/** Adds `image` counts into `total` (category by category). */
export function addPanopticCounts(total: Map<number, PanopticCategoryCounts>, image: ReadonlyMap<number, PanopticCategoryCounts>): void {
  for (const [cat, c] of image) {
    const t = total.get(cat);
    if (t === undefined) total.set(cat, { ...c });
    else {
      t.tp += c.tp;
      t.fp += c.fp;
      t.fn += c.fn;
      t.iou += c.iou;
    }
  }
}

/**
 * PQ / SQ / RQ from accumulated counts: per category, and averaged (in the order of `categories`) over
 * All, Things and Stuff. A group with no counted category (n = 0) reports 0 for its means.
 */
export function summarizePanoptic(counts: ReadonlyMap<number, PanopticCategoryCounts>, categories: readonly PanopticCategory[]): PanopticResult {
  const perClass: Record<string, PanopticClassResult> = {};
  const groups = { All: { pq: 0, sq: 0, rq: 0, n: 0 }, Things: { pq: 0, sq: 0, rq: 0, n: 0 }, Stuff: { pq: 0, sq: 0, rq: 0, n: 0 } };
  for (const cat of categories) {
    const c = counts.get(cat.id);
    if (c === undefined || c.tp + c.fp + c.fn === 0) continue;
    const denom = c.tp + 0.5 * c.fp + 0.5 * c.fn;
    const pq = c.iou / denom;
    const sq = c.tp !== 0 ? c.iou / c.tp : 0;
    const rq = c.tp / denom;
    perClass[String(cat.id)] = { name: cat.name, isthing: cat.isthing, pq, sq, rq, tp: c.tp, fp: c.fp, fn: c.fn, iou: c.iou };
    for (const g of [groups.All, cat.isthing === 1 ? groups.Things : groups.Stuff]) {
      g.pq += pq;
      g.sq += sq;
      g.rq += rq;
      g.n++;
    }
  }
  const mean = (g: PanopticAverage): PanopticAverage => (g.n === 0 ? g : { pq: g.pq / g.n, sq: g.sq / g.n, rq: g.rq / g.n, n: g.n });
  return { All: mean(groups.All), Things: mean(groups.Things), Stuff: mean(groups.Stuff), perClass };
}

/**
 * Panoptic Quality of predictions against ground truth (see the file comment for the rules).
 *
 * `gt` and `pred` are images with id maps `Uint32Array [H, W]`; every ground-truth image needs the
 * prediction of the same `imageId` (extra predictions are ignored, as in panopticapi). `categories`
 * lists the known categories; its order is the averaging order. Bad input (a missing prediction, a
 * size mismatch, ids of a map not matching its segments, an unknown category) throws a
 * {@link DetsegInputError} naming the image and the segment.
 */
export function evaluatePanoptic(gt: readonly PanopticFrame[], pred: readonly PanopticFrame[], categories: readonly PanopticCategory[]): PanopticResult {
  const known = new Map(categories.map((c) => [c.id, c]));
  const predById = new Map<number | string, PanopticFrame>();
  for (const p of pred) {
    if (predById.has(p.imageId)) throw new DetsegInputError(`${imageLabel(p.imageId)}: two predictions for the same image`, { file: p.source });
    predById.set(p.imageId, p);
  }
  const total = new Map<number, PanopticCategoryCounts>();
  for (const g of gt) {
    const p = predById.get(g.imageId);
    if (p === undefined) throw new DetsegInputError(`${imageLabel(g.imageId)}: no prediction for this image`, { field: 'pred' });
    addPanopticCounts(total, panopticImageCounts(g, p, known));
  }
  return summarizePanoptic(total, categories);
}

/** Python's `'{:5.1f}'` of `x`: rounds halfway cases (only exact quarters here) to even, as Python does. */
function fixed1(x: number): string {
  const scaled = x * 10;
  // An exact tie at one decimal needs x·10 ≡ .5; for a double that means x is a multiple of 1/4 (x·4 exact).
  if (Number.isInteger(x * 4) && !Number.isInteger(x * 2) && Number.isInteger(scaled - 0.5)) {
    const lo = scaled - 0.5;
    return ((lo % 2 === 0 ? lo : lo + 1) / 10).toFixed(1);
  }
  return x.toFixed(1);
}

/** The table panopticapi prints: PQ, SQ, RQ (in %) and N for All, Things and Stuff. */
export function formatPanopticTable(result: PanopticResult): string[] {
  const lines = [`${''.padEnd(10)}| ${'PQ'.padStart(5)}  ${'SQ'.padStart(5)}  ${'RQ'.padStart(5)} ${'N'.padStart(5)}`, '-'.repeat(38)];
  for (const name of ['All', 'Things', 'Stuff'] as const) {
    const r = result[name];
    lines.push(`${name.padEnd(10)}| ${fixed1(100 * r.pq).padStart(5)}  ${fixed1(100 * r.sq).padStart(5)}  ${fixed1(100 * r.rq).padStart(5)} ${String(r.n).padStart(5)}`);
  }
  return lines;
}
