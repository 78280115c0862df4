import { DetsegInputError } from '../util/errors.js';
import { validateBoxes, validateThreshold } from '../boxes/validate.js';

/**
 * Validates the common input of the NMS functions and returns the box count: `boxes: [N,4] xyxy`
 * (finite, x1 ≤ x2, y1 ≤ y2), `scores: [N]` finite, `iouThreshold` in [0, 1]. Throws a
 * {@link DetsegInputError} naming the field and the first bad record.
 */
export function validateNmsInput(boxes: ArrayLike<number>, scores: ArrayLike<number>, iouThreshold: number): number {
  const n = validateBoxes(boxes, 'boxes');
  if (scores.length !== n) throw new DetsegInputError(`has ${scores.length} scores for ${n} boxes`, { field: 'scores' });
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new DetsegInputError(`score ${i} is not a finite number (${scores[i]})`, { field: 'scores' });
  }
  validateThreshold(iouThreshold, 'iouThreshold');
  return n;
}

/**
 * Indices `[N]` ordered by decreasing score; equal scores keep their input order (stable), which is
 * how every NMS here breaks ties. `scores: [N]` → `Int32Array [N]`.
 */
export function orderByScore(scores: ArrayLike<number>): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((p, q) => scores[q] - scores[p] || p - q);
}
