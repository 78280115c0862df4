import type { BoxArray } from '../boxes/types.js';
import { DetsegInputError } from '../util/errors.js';
import { collectKept, greedySuppress, nms } from './greedy.js';
import { orderByScore, validateNmsInput } from './input.js';

/**
 * Below this many boxes {@link batchedNms} runs one pass over all boxes; from it on, one pass per
 * class: below a few hundred boxes the per-class set-up costs more than it saves (the measured
 * crossover is in docs/benchmarks.md).
 */
export const PER_CLASS_MIN_BOXES = 256;

/** How {@link batchedNms} organises its work. */
export type BatchedNmsStrategy = 'auto' | 'per-class' | 'single-pass';

/** Options of {@link batchedNms}. */
export interface BatchedNmsOptions {
  /** Ignore the classes: boxes of any class suppress each other (class-agnostic NMS). */
  agnostic?: boolean;
  /** Force a strategy (for tests and benchmarks); default 'auto' chooses by the number of boxes. */
  strategy?: BatchedNmsStrategy;
}

/**
 * Greedy NMS done independently per class: a box is only suppressed by a higher-scoring box of the
 * same class with IoU > `iouThreshold` (or, with `agnostic`, by any box: plain {@link nms}).
 *
 * `boxes: [N,4] xyxy`, `scores: [N]`, `classes: [N]` integer labels, `iouThreshold` in [0, 1] → kept
 * indices `Int32Array [K]` by decreasing score over all classes (ties in input order).
 *
 * Two strategies give the same result, as torchvision's `batched_nms` has two (the coordinate-offset
 * trick for small inputs, a per-class loop for large ones):
 * - 'single-pass': one greedy pass over all boxes in which boxes of different classes never suppress
 *   each other — what torchvision's coordinate-offset trick achieves; here done by comparing labels
 *   instead of shifting coordinates, because shifting Float64 coordinates would round them. It
 *   allocates once, so it is the cheaper one for few boxes.
 * - 'per-class': boxes grouped by class (a counting sort that keeps score order) and one greedy pass per
 *   group. A kept box then meets only candidates of its own class, instead of those of every class
 *   lying around it, so the work shrinks about by the number of classes; it pays the cost of one pass
 *   set-up per class, which is why 'auto' uses it from {@link PER_CLASS_MIN_BOXES} boxes on.
 */
export function batchedNms(boxes: BoxArray, scores: ArrayLike<number>, classes: ArrayLike<number>, iouThreshold: number, options: BatchedNmsOptions = {}): Int32Array {
  const n = validateNmsInput(boxes, scores, iouThreshold);
  if (classes.length !== n) throw new DetsegInputError(`has ${classes.length} labels for ${n} boxes`, { field: 'classes' });
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(classes[i])) throw new DetsegInputError(`label ${i} is not an integer (${classes[i]})`, { field: 'classes' });
  }
  if (options.agnostic) return nms(boxes, scores, iouThreshold);
  const strategy = options.strategy ?? 'auto';
  const order = orderByScore(scores);
  const kept = new Uint8Array(n);
  if (strategy === 'single-pass' || (strategy === 'auto' && n < PER_CLASS_MIN_BOXES)) {
    greedySuppress(boxes, order, iouThreshold, kept, classes);
    return collectKept(order, kept);
  }
  // dense class ids in order of first appearance, then a counting sort of the score order by class
  const dense = new Int32Array(n);
  const ids = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    let d = ids.get(classes[i]);
    if (d === undefined) ids.set(classes[i], (d = ids.size));
    dense[i] = d;
  }
  const start = new Int32Array(ids.size + 1);
  for (let i = 0; i < n; i++) start[dense[i] + 1]++;
  for (let c = 0; c < ids.size; c++) start[c + 1] += start[c];
  const fill = start.slice(0, ids.size);
  const grouped = new Int32Array(n); // [N] indices, class by class, each class by decreasing score
  for (let r = 0; r < n; r++) grouped[fill[dense[order[r]]]++] = order[r];
  for (let c = 0; c < ids.size; c++) greedySuppress(boxes, grouped.subarray(start[c], start[c + 1]), iouThreshold, kept);
  return collectKept(order, kept);
}
