import { DetsegInputError } from '../util/errors.js';
import type { BoxArray, BoxFormat } from './types.js';
import { validateBoxes } from './validate.js';

const FORMATS: readonly BoxFormat[] = ['xyxy', 'xywh', 'cxcywh'];

/**
 * Converts boxes between layouts (see {@link BoxFormat}).
 *
 * `boxes: [N,4]` in format `from` → a new array of the same type `[N,4]` in format `to` (a copy even
 * when `from === to`). Input is validated: whole boxes, finite numbers, x1 ≤ x2 / y1 ≤ y2 for xyxy and
 * w, h ≥ 0 for xywh/cxcywh; otherwise a {@link DetsegInputError} names the first bad box.
 *
 * Conversion goes through corners: xywh (x, y, w, h) ↔ xyxy (x, y, x + w, y + h); cxcywh (cx, cy, w, h) ↔
 * xyxy (cx − w/2, cy − h/2, cx + w/2, cy + h/2). Units are unchanged (pixels in, pixels out).
 */
export function convertBoxes<T extends BoxArray>(boxes: T, from: BoxFormat, to: BoxFormat): T {
  for (const [name, f] of [['from', from], ['to', to]] as const) {
    if (!FORMATS.includes(f)) throw new DetsegInputError(`unknown box format '${f}' (expected one of ${FORMATS.join(', ')})`, { field: name });
  }
  const n = validateBoxes(boxes, 'boxes', from);
  const out = (boxes instanceof Float64Array ? new Float64Array(4 * n) : new Float32Array(4 * n)) as T;
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    const a = boxes[o], b = boxes[o + 1], c = boxes[o + 2], d = boxes[o + 3];
    // to corners
    let x1: number, y1: number, x2: number, y2: number;
    if (from === 'xyxy') { x1 = a; y1 = b; x2 = c; y2 = d; }
    else if (from === 'xywh') { x1 = a; y1 = b; x2 = a + c; y2 = b + d; }
    else { x1 = a - c / 2; y1 = b - d / 2; x2 = a + c / 2; y2 = b + d / 2; }
    // from corners
    if (to === 'xyxy') { out[o] = x1; out[o + 1] = y1; out[o + 2] = x2; out[o + 3] = y2; }
    else if (to === 'xywh') { out[o] = x1; out[o + 1] = y1; out[o + 2] = x2 - x1; out[o + 3] = y2 - y1; }
    else { out[o] = (x1 + x2) / 2; out[o + 1] = (y1 + y2) / 2; out[o + 2] = x2 - x1; out[o + 3] = y2 - y1; }
  }
  return out;
}

/**
 * Clips boxes to the image: every x to [0, width], every y to [0, height] (pixels, continuous
 * coordinates, so a box may reach x = width). `boxes: [N,4] xyxy` → a new array of the same type.
 * A box entirely outside the image becomes degenerate (zero width or height) and is kept, as in
 * torchvision's `clip_boxes_to_image`; remove it afterwards with a minimum-size filter if needed.
 */
export function clipBoxes<T extends BoxArray>(boxes: T, width: number, height: number): T {
  if (!(Number.isFinite(width) && width >= 0)) throw new DetsegInputError(`must be a finite number ≥ 0, got ${width}`, { field: 'width' });
  if (!(Number.isFinite(height) && height >= 0)) throw new DetsegInputError(`must be a finite number ≥ 0, got ${height}`, { field: 'height' });
  const n = validateBoxes(boxes, 'boxes');
  const out = (boxes instanceof Float64Array ? new Float64Array(4 * n) : new Float32Array(4 * n)) as T;
  for (let i = 0; i < 4 * n; i += 4) {
    out[i] = Math.min(Math.max(boxes[i], 0), width);
    out[i + 1] = Math.min(Math.max(boxes[i + 1], 0), height);
    out[i + 2] = Math.min(Math.max(boxes[i + 2], 0), width);
    out[i + 3] = Math.min(Math.max(boxes[i + 3], 0), height);
  }
  return out;
}
