import { DetsegInputError } from '../util/errors.js';
import type { BoxArray } from './types.js';

/**
 * Checks that `boxes` holds whole boxes of finite numbers and, for xyxy, that x1 ≤ x2 and y1 ≤ y2.
 * Throws a {@link DetsegInputError} naming `name` and the first bad box. Returns the box count.
 */
export function validateBoxes(boxes: ArrayLike<number>, name = 'boxes', format: 'xyxy' | 'xywh' | 'cxcywh' = 'xyxy'): number {
  if (boxes.length % 4 !== 0) throw new DetsegInputError(`expected 4 numbers per box, got an array of length ${boxes.length}`, { field: name });
  const n = boxes.length / 4;
  for (let i = 0; i < n; i++) {
    const a = boxes[4 * i], b = boxes[4 * i + 1], c = boxes[4 * i + 2], d = boxes[4 * i + 3];
    if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c) || !Number.isFinite(d)) {
      throw new DetsegInputError(`box ${i} has a non-finite coordinate [${a}, ${b}, ${c}, ${d}]`, { field: name });
    }
    if (format === 'xyxy' ? c < a || d < b : c < 0 || d < 0) {
      throw new DetsegInputError(`box ${i} has negative width or height [${a}, ${b}, ${c}, ${d}] (${format})`, { field: name });
    }
  }
  return n;
}

/** Checks that a threshold is a finite number in [0, 1]. */
export function validateThreshold(value: number, name: string): void {
  if (!(value >= 0 && value <= 1)) throw new DetsegInputError(`must be a number in [0, 1], got ${value}`, { field: name });
}
