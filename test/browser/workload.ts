import {
  COCO_STAT_NAMES,
  batchedNms,
  boxIou,
  convertBoxes,
  evaluateCocoJson,
  evaluateVoc,
  generalizedBoxIou,
  mulberry32,
  nms,
  roiAlign,
  roiPool,
  selectiveSearch,
  softNms,
  syntheticSample,
  type VocImage,
} from '../../src/browser/index.js';

/**
 * The computation the browser test runs twice — in Node and in headless Chromium — on the same inputs,
 * through the browser entry only (this module's whole import graph is browser-safe, like the entry's).
 * Every typed-array result is returned as a fingerprint of its raw bytes — their count, a 64-bit FNV-1a
 * hash, and the bytes themselves in hex when there are at most {@link HEX_LIMIT} — so that two runs
 * compare bit for bit (NaN payloads and −0 included) without moving megabytes out of the page.
 */

/** Parsed COCO JSON of the fixture (`test/fixtures/coco`): ground truth and the two result files. */
export interface WorkloadInput {
  /** `instances_val2014_100.json`. */
  gt: unknown;
  /** `instances_val2014_fakebbox100_results.json`. */
  dtBbox: unknown;
  /** `instances_val2014_fakesegm100_results.json`. */
  dtSegm: unknown;
}

/** Arrays of at most this many bytes are also returned whole (in hex). */
export const HEX_LIMIT = 1 << 16;

/** The raw bytes of a typed array, as returned by the workload. */
export interface BytesFingerprint {
  byteLength: number;
  /** 64-bit FNV-1a of the bytes, as 16 hex digits. */
  fnv1a64: string;
  /** The bytes in hex (as the platform stores them: little-endian), when at most {@link HEX_LIMIT}. */
  hex?: string;
}

/** What one run produced. */
export interface WorkloadOutput {
  /** Name → fingerprint of a typed array's raw bytes. */
  arrays: Record<string, BytesFingerprint>;
  /** COCO statistics by iouType, named as {@link COCO_STAT_NAMES}, for comparison with pycocotools. */
  stats: Record<'bbox' | 'segm', Record<string, number>>;
  /** pycocotools' summary lines by iouType. */
  lines: Record<'bbox' | 'segm', string[]>;
  /** Counts that say how much was computed (boxes, pairs, kept). */
  counts: Record<string, number>;
  /** Wall time of the whole workload, ms (fingerprints included, parsing the JSON not). */
  ms: number;
}

/**
 * 64-bit FNV-1a of a byte array (offset basis 0xcbf29ce484222325, prime 0x100000001b3), as 16 hex
 * digits. Computed on 16-bit limbs with exact integer arithmetic (no BigInt in the loop).
 */
export function fnv1a64(bytes: Uint8Array): string {
  // hash = [h3, h2, h1, h0], 16 bits each, most significant first.
  let h0 = 0x2325, h1 = 0x8422, h2 = 0x9ce4, h3 = 0xcbf2;
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i];
    // Multiply by the prime 2^40 + 0x1b3: the low part times 0x1b3, plus the hash shifted left by 40 bits
    // (h0 moves to limb 2 at bit 8, h1 to limb 3 at bit 8), all modulo 2^64.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (t1 >>> 16) + ((h0 << 8) & 0xffff);
    const t3 = h3 * 0x1b3 + (t2 >>> 16) + ((h1 << 8) & 0xffff) + (h0 >>> 8);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [h3, h2, h1, h0].map((h) => h.toString(16).padStart(4, '0')).join('');
}

/** Hex of a byte array (no Buffer: this runs in the browser too). */
export function bytesHex(bytes: Uint8Array): string {
  const digits: string[] = new Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) digits[i] = bytes[i].toString(16).padStart(2, '0');
  return digits.join('');
}

/** The fingerprint of a typed array's raw bytes. */
export function fingerprint(a: ArrayBufferView): BytesFingerprint {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return { byteLength: bytes.length, fnv1a64: fnv1a64(bytes), ...(bytes.length <= HEX_LIMIT ? { hex: bytesHex(bytes) } : {}) };
}

/** Concatenates typed arrays of one kind. */
function concat<T extends Float32Array | Int32Array | Float64Array>(parts: T[], make: (n: number) => T): T {
  const out = make(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface CocoRecord {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score?: number;
  iscrowd?: number;
}

/** One image's boxes: ground truth and detections (xyxy), scores and category ids. */
interface ImageBoxes {
  gt: Float32Array; // [G,4] xyxy
  gtCategory: Int32Array; // [G]
  gtCrowd: Uint8Array; // [G]
  dt: Float32Array; // [D,4] xyxy
  dtScore: Float32Array; // [D]
  dtCategory: Int32Array; // [D]
}

/** Groups COCO records by image (increasing image id) into xyxy `Float32Array`s. */
function boxesByImage(gtData: unknown, dtData: unknown): ImageBoxes[] {
  const gtRecords = (gtData as { annotations: CocoRecord[] }).annotations;
  const dtRecords = dtData as CocoRecord[];
  const ids = [...new Set([...gtRecords, ...dtRecords].map((r) => r.image_id))].sort((a, b) => a - b);
  return ids.map((id) => {
    const g = gtRecords.filter((r) => r.image_id === id);
    const d = dtRecords.filter((r) => r.image_id === id);
    return {
      gt: convertBoxes(Float32Array.from(g.flatMap((r) => r.bbox)), 'xywh', 'xyxy'),
      gtCategory: Int32Array.from(g, (r) => r.category_id),
      gtCrowd: Uint8Array.from(g, (r) => r.iscrowd ?? 0),
      dt: convertBoxes(Float32Array.from(d.flatMap((r) => r.bbox)), 'xywh', 'xyxy'),
      dtScore: Float32Array.from(d, (r) => r.score ?? 0),
      dtCategory: Int32Array.from(d, (r) => r.category_id),
    };
  });
}

/**
 * Runs the workload: COCO bbox and segm evaluation (statistics, precision `[T,R,K,A,M]`, recall), VOC AP
 * (all-point and 11-point) of the same boxes, per-image IoU `[G,D]` and GIoU `[D,D]` matrices, greedy,
 * batched (per category) and Gaussian Soft-NMS keep lists, RoI Align (SIMD and scalar channel loops) and
 * RoI Pool with argmax on a seeded random map, and fast-mode selective search on a synthetic image.
 */
export function runWorkload(input: WorkloadInput): WorkloadOutput {
  const start = performance.now();
  const arrays: Record<string, BytesFingerprint> = {};
  const counts: Record<string, number> = {};
  const stats = {} as WorkloadOutput['stats'];
  const lines = {} as WorkloadOutput['lines'];

  for (const [iouType, dt] of [['bbox', input.dtBbox], ['segm', input.dtSegm]] as const) {
    const r = evaluateCocoJson(input.gt, dt, { iouType });
    arrays[`coco.${iouType}.stats`] = fingerprint(Float64Array.from(r.stats));
    arrays[`coco.${iouType}.precision`] = fingerprint(r.precision);
    arrays[`coco.${iouType}.recall`] = fingerprint(r.recall);
    stats[iouType] = Object.fromEntries(COCO_STAT_NAMES.map((name, i) => [name, r.stats[i]]));
    lines[iouType] = r.lines;
  }

  const images = boxesByImage(input.gt, input.dtBbox);
  const iou: Float32Array[] = [];
  const giou: Float32Array[] = [];
  const kept: Int32Array[] = [];
  const keptBatched: Int32Array[] = [];
  const softIndices: Int32Array[] = [];
  const softScores: Float32Array[] = [];
  for (const im of images) {
    iou.push(boxIou(im.gt, im.dt)); // [G,D]
    giou.push(generalizedBoxIou(im.dt, im.dt)); // [D,D]
    kept.push(nms(im.dt, im.dtScore, 0.5));
    keptBatched.push(batchedNms(im.dt, im.dtScore, im.dtCategory, 0.5));
    const soft = softNms(im.dt, im.dtScore, { method: 'gaussian', sigma: 0.5, scoreThreshold: 0.001 });
    softIndices.push(soft.indices);
    softScores.push(soft.scores);
  }
  arrays['iou'] = fingerprint(concat(iou, (n) => new Float32Array(n)));
  arrays['giou'] = fingerprint(concat(giou, (n) => new Float32Array(n)));
  arrays['nms.kept'] = fingerprint(concat(kept, (n) => new Int32Array(n)));
  arrays['batchedNms.kept'] = fingerprint(concat(keptBatched, (n) => new Int32Array(n)));
  arrays['softNms.indices'] = fingerprint(concat(softIndices, (n) => new Int32Array(n)));
  arrays['softNms.scores'] = fingerprint(concat(softScores, (n) => new Float32Array(n)));
  counts.images = images.length;
  counts.iouPairs = iou.reduce((s, a) => s + a.length, 0);
  counts.detections = images.reduce((s, im) => s + im.dtScore.length, 0);
  counts.nmsKept = kept.reduce((s, a) => s + a.length, 0);

  // VOC AP of the same boxes: classes = COCO category ids in increasing order, crowd as difficult.
  const categories = [...new Set(images.flatMap((im) => [...im.gtCategory, ...im.dtCategory]))].sort((a, b) => a - b);
  const classOf = new Map(categories.map((c, i) => [c, i]));
  const vocImages: VocImage[] = images.map((im, i) => ({
    name: `image ${i}`,
    gtBoxes: Float64Array.from(im.gt),
    gtClasses: Int32Array.from(im.gtCategory, (c) => classOf.get(c)!),
    gtDifficult: im.gtCrowd,
    dtBoxes: Float64Array.from(im.dt),
    dtClasses: Int32Array.from(im.dtCategory, (c) => classOf.get(c)!),
    dtScores: Float64Array.from(im.dtScore),
  }));
  for (const interp of ['all', '11'] as const) {
    const voc = evaluateVoc({ classNames: categories.map(String), images: vocImages }, { interp });
    arrays[`voc.${interp}.ap`] = fingerprint(Float64Array.from([voc.mAP, ...voc.classes.map((c) => c.ap)]));
  }

  // RoI ops on a seeded random map [2,24,24,20] (20 channels: the SIMD kernels' 16- and 4-channel steps).
  const random = mulberry32(7);
  const shape = [2, 24, 24, 20];
  const features = Float32Array.from({ length: 2 * 24 * 24 * 20 }, () => random() * 2 - 1);
  const roiCount = 40;
  const rois = new Float32Array(roiCount * 5); // [K,5]: batch index, x1, y1, x2, y2 in image pixels
  for (let k = 0; k < roiCount; k++) {
    const x = [random() * 400 - 8, random() * 400 - 8].sort((a, b) => a - b);
    const y = [random() * 400 - 8, random() * 400 - 8].sort((a, b) => a - b);
    rois.set([k % 2, x[0], y[0], x[1], y[1]], 5 * k);
  }
  const grid = { outHeight: 7, outWidth: 7, spatialScale: 1 / 16 };
  arrays['roiAlign.simd'] = fingerprint(roiAlign(features, shape, rois, { ...grid, samplingRatio: 2, aligned: true }));
  arrays['roiAlign.scalar'] = fingerprint(roiAlign(features, shape, rois, { ...grid, samplingRatio: -1, aligned: false, implementation: 'scalar' }));
  const pooled = roiPool(features, shape, rois, grid);
  arrays['roiPool.output'] = fingerprint(pooled.output);
  arrays['roiPool.argmax'] = fingerprint(pooled.argmax);

  // Selective search (fast mode) on a synthetic-shapes image.
  const sample = syntheticSample(3, 0, { size: 96 });
  const proposals = selectiveSearch({ data: sample.image, width: sample.width, height: sample.height }, { mode: 'fast' });
  arrays['selectiveSearch.boxes'] = fingerprint(proposals.boxes);
  counts.proposals = proposals.boxes.length / 4;
  return { arrays, stats, lines, counts, ms: performance.now() - start };
}
