import type { PanopticSegmentInfo } from '../../data/coco-panoptic-format.js';
import { DetsegInputError } from '../../util/errors.js';

/**
 * Panoptic FPN's fusion of instance and semantic outputs (Kirillov, Girshick, He & Dollár 2019,
 * "Panoptic Feature Pyramid Networks", the heuristic of its section on inference): instances own the
 * things, the semantic argmax supplies the stuff, and every pixel gets at most one segment.
 *
 * 1. Instances with score ≥ `scoreThreshold` are taken in order of decreasing score (ties: input order).
 *    Of each mask only the pixels not yet taken are pasted; an instance is dropped when its mask is
 *    empty or when more than `overlapThreshold` of it is already taken (its visible part < 50 % by default).
 * 2. For each stuff category of the semantic map (ascending id), its pixels not taken by an instance
 *    form one segment, kept only when it has at least `stuffAreaThreshold` pixels (else they stay void).
 * 3. Thing categories in the semantic map are ignored: a thing pixel no instance covers stays void (0).
 *
 * Segment ids are 1, 2, … in the order the segments are made (instances first).
 */

/** Thresholds of {@link fusePanoptic}. */
export interface FusionOptions {
  /** Instances scoring below are ignored (default 0.5). */
  scoreThreshold?: number;
  /** An instance is dropped when more than this fraction of its mask is already taken (default 0.5). */
  overlapThreshold?: number;
  /** Stuff segments with fewer pixels are left void (default 64: 0.4 % of a 128² image, the share of Panoptic FPN's 4096 px on ~1000² images). */
  stuffAreaThreshold?: number;
}

/** Defaults of {@link FusionOptions}. */
export const DEFAULT_FUSION_OPTIONS: Required<FusionOptions> = { scoreThreshold: 0.5, overlapThreshold: 0.5, stuffAreaThreshold: 64 };

/** The instance output to fuse: N detections, each a category id, a score and a mask `Uint8Array [H, W]` (nonzero inside). */
export interface FusionInstances {
  scores: ArrayLike<number>;
  categories: ArrayLike<number>;
  masks: readonly Uint8Array[];
}

/** One panoptic prediction: `ids: Uint32Array [H, W]` (0 void), its segments, and which input instance each thing segment came from. */
export interface FusedPanoptic {
  ids: Uint32Array;
  /** Segments in id order, with `area` (pixels) and `iscrowd` 0. */
  segments: PanopticSegmentInfo[];
  /** Index of the input instance of each segment, −1 for stuff. */
  source: number[];
}

/**
 * Fuses instances and a semantic map of one `width`×`height` image into a panoptic map (see the
 * module comment). `semantic: [H, W]` category ids (0 void); `isThing(id)` says whether a category is a
 * thing. Throws a {@link DetsegInputError} on mismatched sizes or lengths.
 */
export function fusePanoptic(instances: FusionInstances, semantic: ArrayLike<number>, width: number, height: number, isThing: (categoryId: number) => boolean, options: FusionOptions = {}): FusedPanoptic {
  const { scoreThreshold, overlapThreshold, stuffAreaThreshold } = { ...DEFAULT_FUSION_OPTIONS, ...options };
  const n = instances.scores.length;
  const size = width * height;
  if (semantic.length !== size) throw new DetsegInputError(`semantic map has ${semantic.length} pixels, not ${width}×${height}`, { field: 'semantic' });
  if (instances.categories.length !== n || instances.masks.length !== n) throw new DetsegInputError(`${n} scores but ${instances.categories.length} categories and ${instances.masks.length} masks`, { field: 'instances' });
  instances.masks.forEach((m, i) => {
    if (m.length !== size) throw new DetsegInputError(`mask ${i} has ${m.length} pixels, not ${width}×${height}`, { field: 'instances.masks' });
  });
  const ids = new Uint32Array(size);
  const segments: PanopticSegmentInfo[] = [];
  const source: number[] = [];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => instances.scores[b] - instances.scores[a] || a - b);
  for (const i of order) {
    if (!(instances.scores[i] >= scoreThreshold)) continue;
    const mask = instances.masks[i];
    let area = 0, taken = 0;
    for (let p = 0; p < size; p++) {
      if (!mask[p]) continue;
      area++;
      if (ids[p] !== 0) taken++;
    }
    if (area === 0 || taken / area > overlapThreshold) continue;
    const id = segments.length + 1;
    for (let p = 0; p < size; p++) if (mask[p] && ids[p] === 0) ids[p] = id;
    segments.push({ id, category_id: instances.categories[i], iscrowd: 0, area: area - taken });
    source.push(i);
  }
  // stuff: pixels of each stuff category still free, counted in one pass
  const free = new Map<number, number>();
  for (let p = 0; p < size; p++) {
    const c = semantic[p];
    if (ids[p] === 0 && c !== 0 && !isThing(c)) free.set(c, (free.get(c) ?? 0) + 1);
  }
  for (const c of [...free.keys()].sort((a, b) => a - b)) {
    const area = free.get(c)!;
    if (area < stuffAreaThreshold) continue;
    const id = segments.length + 1;
    for (let p = 0; p < size; p++) if (ids[p] === 0 && semantic[p] === c) ids[p] = id;
    segments.push({ id, category_id: c, iscrowd: 0, area });
    source.push(-1);
  }
  return { ids, segments, source };
}
