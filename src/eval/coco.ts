import { DetsegInputError } from '../util/errors.js';
import { boxIouCrowd, rleIou } from '../masks/iou.js';
import { rleToBbox, type Rle } from '../masks/rle.js';
import { accumulateCategory, type AccumulateTarget, type PooledDetections } from './coco-accumulate.js';
import { annotationRle, indexGroundTruth, loadResults, type CocoAnnotationTable, type CocoGroundTruth } from './coco-data.js';
import { matchCell, type CellInput } from './coco-match.js';
import { resolveParams, type CocoEvalOptions, type CocoEvalParams } from './coco-params.js';
import { numpyMean, summarizeDetections } from './coco-summarize.js';

/**
 * COCO detection evaluation (`bbox` and `segm`) with pycocotools' `COCOeval` semantics, number for number:
 * `evaluate` (IoUs once per image and category, greedy matching per area range), `accumulate` (precision
 * `[T,R,K,A,M]`, recall `[T,K,A,M]`) and `summarize` (the 12 statistics and lines).
 *
 * Ground truth and detections are indexed per (image, category) with a counting sort into flat typed
 * arrays; no object is allocated per detection in the matching and accumulation loops.
 */

export type { CocoEvalOptions, CocoEvalParams } from './coco-params.js';

/** Everything an evaluation produces. */
export interface CocoEvalResult {
  params: CocoEvalParams;
  /** Precision `Float64Array [T,R,K,A,M]` (−1 where undefined), as pycocotools' `eval['precision']`. */
  precision: Float64Array;
  /** Recall `Float64Array [T,K,A,M]` (−1 where undefined), as `eval['recall']`. */
  recall: Float64Array;
  /** Score at each precision cell `[T,R,K,A,M]`, as `eval['scores']` — only with `options.scores`. */
  scores?: Float64Array;
  /** Array sizes: thresholds, recall thresholds, categories (1 when `useCats` is false), area ranges, maxDets. */
  dims: { T: number; R: number; K: number; A: number; M: number };
  /** The 12 COCO statistics (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl). */
  stats: number[];
  /** pycocotools' 12 summary lines. */
  lines: string[];
  /**
   * AP at IoU .50:.95, area all, the largest maxDets, per category (`useCats` only): mean of the defined
   * precision cells, −1 when the category has no ground truth.
   */
  perClass: Array<{ categoryId: number; name: string; ap: number }>;
}

/** Names of the 12 statistics, in order. */
export const COCO_STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;

/**
 * Evaluates parsed COCO JSON: `gtData` a dataset, `dtData` a results list. `gtFile`/`dtFile` name the files
 * in error messages. Bad input throws a {@link DetsegInputError} before anything is evaluated.
 */
export function evaluateCocoJson(gtData: unknown, dtData: unknown, options: CocoEvalOptions & { gtFile?: string; dtFile?: string; scores?: boolean } = {}): CocoEvalResult {
  const iouType = options.iouType ?? 'bbox';
  const gt = indexGroundTruth(gtData, iouType, options.gtFile);
  if (options.imgIds) {
    const known = new Set(gt.imageIds);
    const unknown = options.imgIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new DetsegInputError(`image ids ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''} are not in the ground truth${options.gtFile ? ` ${options.gtFile}` : ''}`, { field: 'imgIds' });
  }
  const dt = loadResults(dtData, gt, iouType, options.dtFile);
  return evaluateCoco(gt, dt, { ...options, iouType });
}

/** Counting sort of annotations by cell key: `start [nKeys+1]` offsets into `items`, stable (file order). */
function bucket(keys: Int32Array, nKeys: number): { start: Int32Array; items: Int32Array } {
  const start = new Int32Array(nKeys + 1);
  for (let i = 0; i < keys.length; i++) if (keys[i] >= 0) start[keys[i] + 1]++;
  for (let k = 0; k < nKeys; k++) start[k + 1] += start[k];
  const fill = start.slice(0, nKeys);
  const items = new Int32Array(start[nKeys]);
  for (let i = 0; i < keys.length; i++) if (keys[i] >= 0) items[fill[keys[i]]++] = i;
  return { start, items };
}

/**
 * Writes `items[from..from+n)` to `out[0..n)` sorted by descending `score`, stable (numpy's mergesort
 * order): insertion sort for the few detections of a typical cell, the built-in stable sort otherwise.
 */
function sortByScore(items: Int32Array, from: number, n: number, score: Float64Array, out: Int32Array): void {
  if (n > 32) {
    const sorted = Array.from(items.subarray(from, from + n)).sort((x, y) => score[y] - score[x]);
    for (let i = 0; i < n; i++) out[i] = sorted[i];
    return;
  }
  for (let i = 0; i < n; i++) {
    const item = items[from + i];
    const s = score[item];
    let j = i;
    while (j > 0 && score[out[j - 1]] < s) {
      out[j] = out[j - 1];
      j--;
    }
    out[j] = item;
  }
}

/** Cell key (image index × categories + category index) of each annotation, −1 when not evaluated. */
function cellKeys(table: CocoAnnotationTable, imgIndex: Map<number, number>, catIndex: Map<number, number>, nCats: number): Int32Array {
  const keys = new Int32Array(table.count);
  for (let i = 0; i < table.count; i++) {
    const ii = imgIndex.get(table.imageId[i]);
    const ci = catIndex.get(table.categoryId[i]);
    keys[i] = ii === undefined || ci === undefined ? -1 : ii * nCats + ci;
  }
  return keys;
}

/**
 * Evaluates indexed ground truth against loaded detections (see {@link indexGroundTruth},
 * {@link loadResults}) with `options` over pycocotools' default parameters. `scores: true` also fills
 * pycocotools' `eval['scores']` (the detection score at each precision cell), which costs another array
 * the size of `precision`.
 */
export function evaluateCoco(gt: CocoGroundTruth, dt: CocoAnnotationTable, options: CocoEvalOptions & { scores?: boolean } = {}): CocoEvalResult {
  const params = resolveParams(options, gt.imageIds, gt.categoryIds);
  const { iouThrs, recThrs, maxDets, areaRng, useCats } = params;
  const T = iouThrs.length, R = recThrs.length, A = areaRng.length, M = maxDets.length;
  const C = params.catIds.length;
  const K = useCats ? C : 1;
  const I = params.imgIds.length;
  const maxDetLast = maxDets[M - 1];
  const imgIndex = new Map<number, number>();
  params.imgIds.forEach((id, i) => imgIndex.set(id, i));
  const catIndex = new Map<number, number>();
  params.catIds.forEach((id, i) => catIndex.set(id, i));

  const g = gt.annotations;
  const gCells = bucket(cellKeys(g, imgIndex, catIndex, C), I * C);
  const dCells = bucket(cellKeys(dt, imgIndex, catIndex, C), I * C);

  // segm: every evaluated mask is built (and checked) before any matching, as pycocotools' _prepare
  const segm = params.iouType === 'segm';
  let gRles: Array<Rle | undefined> = [];
  let dRles: Array<Rle | undefined> = [];
  let gMaskBox = new Float64Array(0);
  let dMaskBox = new Float64Array(0);
  if (segm) {
    gRles = new Array(g.count);
    dRles = new Array(dt.count);
    for (const i of gCells.items) gRles[i] = annotationRle(g, i, gt, gt.file, 'annotations');
    for (const i of dCells.items) dRles[i] = annotationRle(dt, i, gt, dt.file, 'results');
    // tight boxes of the masks, once per annotation (pycocotools' rleIou recomputes them per cell)
    gMaskBox = new Float64Array(4 * g.count);
    dMaskBox = new Float64Array(4 * dt.count);
    for (const i of gCells.items) rleToBbox(gRles[i]!, gMaskBox, 4 * i);
    for (const i of dCells.items) rleToBbox(dRles[i]!, dMaskBox, 4 * i);
  }
  // boxes the IoU reads: the annotations' boxes (bbox) or their masks' tight boxes (segm, prefilter)
  const gBoxes = segm ? gMaskBox : g.bbox;
  const dBoxes = segm ? dMaskBox : dt.bbox;

  const out: AccumulateTarget = {
    precision: new Float64Array(T * R * K * A * M).fill(-1),
    recall: new Float64Array(T * K * A * M).fill(-1),
    scores: options.scores ? new Float64Array(T * R * K * A * M).fill(-1) : undefined,
    T, R, K, A, M,
  };

  // scratch, grown as needed
  let gtIdx = new Int32Array(64);
  let dtIdx = new Int32Array(64);
  let gtBox = new Float64Array(256), dtBox = new Float64Array(256);
  const cell: CellInput = { ious: new Float64Array(0), nDt: 0, nGt: 0, gtId: new Float64Array(64), gtArea: new Float64Array(64), gtCrowd: new Uint8Array(64), dtArea: new Float64Array(64) };

  for (let k = 0; k < K; k++) {
    // detections this category keeps: each image's first maxDets[-1] by score
    let P = 0;
    for (let i = 0; i < I; i++) {
      const lo = useCats ? i * C + k : i * C, hi = useCats ? lo + 1 : lo + C;
      P += Math.min(dCells.start[hi] - dCells.start[lo], maxDetLast);
    }
    const pooledScore = new Float64Array(P);
    const pooledRank = new Int32Array(P);
    const dtMatch = Array.from({ length: A }, () => new Float64Array(P * T));
    const dtIgnore = Array.from({ length: A }, () => new Uint8Array(P * T));
    const npig = new Float64Array(A);
    let base = 0;
    for (let i = 0; i < I; i++) {
      const lo = useCats ? i * C + k : i * C, hi = useCats ? lo + 1 : lo + C;
      const g0 = gCells.start[lo], G = gCells.start[hi] - g0;
      const d0 = dCells.start[lo], Dall = dCells.start[hi] - d0;
      if (G === 0 && Dall === 0) continue;
      // detections by descending score, stable, cut to maxDets[-1]
      if (dtIdx.length < Dall) dtIdx = new Int32Array(Dall * 2);
      sortByScore(dCells.items, d0, Dall, dt.score, dtIdx);
      const D = Math.min(Dall, maxDetLast);
      if (gtIdx.length < G) {
        gtIdx = new Int32Array(G * 2);
        gtBox = new Float64Array(G * 8);
        cell.gtId = new Float64Array(G * 2);
        cell.gtArea = new Float64Array(G * 2);
        cell.gtCrowd = new Uint8Array(G * 2);
      }
      if (cell.dtArea.length < D) {
        cell.dtArea = new Float64Array(D * 2);
        dtBox = new Float64Array(D * 8);
      }
      for (let j = 0; j < G; j++) {
        const a = gCells.items[g0 + j];
        gtIdx[j] = a;
        cell.gtId[j] = g.id[a];
        cell.gtArea[j] = g.area[a];
        cell.gtCrowd[j] = g.iscrowd[a];
      }
      for (let j = 0; j < D; j++) {
        const a = dtIdx[j];
        cell.dtArea[j] = dt.area[a];
        pooledScore[base + j] = dt.score[a];
        pooledRank[base + j] = j;
      }
      // IoU [D,G], once per cell
      for (let j = 0; j < G; j++) for (let c = 0; c < 4; c++) gtBox[4 * j + c] = gBoxes[4 * gtIdx[j] + c];
      for (let j = 0; j < D; j++) for (let c = 0; c < 4; c++) dtBox[4 * j + c] = dBoxes[4 * dtIdx[j] + c];
      if (segm) {
        const gr: Rle[] = new Array(G), dr: Rle[] = new Array(D);
        for (let j = 0; j < G; j++) gr[j] = gRles[gtIdx[j]]!;
        for (let j = 0; j < D; j++) dr[j] = dRles[dtIdx[j]]!;
        cell.ious = rleIou(dr, gr, cell.gtCrowd.subarray(0, G), dtBox.subarray(0, 4 * D), gtBox.subarray(0, 4 * G));
      } else {
        if (cell.ious.length < D * G) cell.ious = new Float64Array(D * G * 2);
        boxIouCrowd(dtBox.subarray(0, 4 * D), gtBox.subarray(0, 4 * G), cell.gtCrowd.subarray(0, G), cell.ious);
      }
      cell.nDt = D;
      cell.nGt = G;
      for (let a = 0; a < A; a++) npig[a] += matchCell(cell, areaRng[a][0], areaRng[a][1], iouThrs, dtMatch[a], dtIgnore[a], base);
      base += D;
    }
    // pooled order: descending score, stable over (image, rank)
    const order = Int32Array.from({ length: P }, (_, j) => j).sort((x, y) => pooledScore[y] - pooledScore[x] || x - y);
    const pooled: PooledDetections = { count: P, score: pooledScore, rank: pooledRank, order, dtMatch, dtIgnore, npig };
    accumulateCategory(pooled, k, maxDets, recThrs, out);
  }

  const { stats, lines } = summarizeDetections({ params, precision: out.precision, recall: out.recall, K });
  const perClass: CocoEvalResult['perClass'] = [];
  if (useCats) {
    const values = new Float64Array(T * R);
    for (let k = 0; k < K; k++) {
      let n = 0;
      for (let t = 0; t < T; t++) {
        for (let r = 0; r < R; r++) {
          const v = out.precision[(((t * R + r) * K + k) * A + 0) * M + (M - 1)];
          if (v > -1) values[n++] = v;
        }
      }
      const catId = params.catIds[k];
      perClass.push({ categoryId: catId, name: gt.categoryName.get(catId) ?? String(catId), ap: n ? numpyMean(values.subarray(0, n)) : -1 });
    }
  }
  return { params, precision: out.precision, recall: out.recall, scores: out.scores, dims: { T, R, K, A, M }, stats, lines, perClass };
}
