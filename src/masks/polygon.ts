import { DetsegInputError } from '../util/errors.js';
import type { CocoSegmentation } from './coco-segmentation.js';
import { mergeRles, type Rle } from './rle.js';
import { countsFromString } from './rle-string.js';

/**
 * Polygons and boxes to RLE with pycocotools' exact rasterization (`rleFrPoly`): the polygon is scaled by
 * 5 and rounded to integers, every edge is walked one step per unit of its longer axis, the points where
 * the walk crosses a column boundary are brought back to the pixel grid (a pixel belongs to the polygon
 * when its centre does, with pycocotools' rounding), and the sorted crossing points become the run lengths.
 */

const SCALE = 5;

/**
 * Largest polygon coordinate magnitude (pixels) the rasterizer accepts: upsampled by {@link SCALE}, a
 * coordinate must fit pycocotools' 32-bit `int`. Larger ones are input errors, not rasterized.
 */
export const MAX_POLYGON_COORDINATE = 4e8;

/** Reused work buffers (the rasterizer allocates nothing per polygon but its result). */
const intScratchBuffers = [new Int32Array(256), new Int32Array(256)];
let posScratch = new Uint32Array(1024);

/**
 * The crossing of the boundary step from (uPrev, vPrev) to (u, v) (upsampled grid, columns differ) as
 * pixel position x·h + y, or −1 when its column is not a pixel column of the image (pycocotools' rule).
 */
function crossing(u: number, v: number, uPrev: number, vPrev: number, h: number, w: number): number {
  let xd = u < uPrev ? u : u - 1;
  xd = (xd + 0.5) / SCALE - 0.5;
  if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) return -1;
  let yd = v < vPrev ? v : vPrev;
  yd = (yd + 0.5) / SCALE - 0.5;
  if (yd < 0) yd = 0;
  else if (yd > h) yd = h;
  yd = Math.ceil(yd);
  return (toInt(xd) * h + toInt(yd)) >>> 0;
}

let bucketStart = new Int32Array(1024);
let sortScratch = new Uint32Array(1024);

/**
 * Sorts the crossing positions `pos[0..n)` ascending (as pycocotools' qsort). They come column by column
 * along each edge, so a counting sort on the column (`⌊pos / h⌋`) followed by an insertion sort, which
 * then only reorders within a column, does it in about linear time.
 */
function sortCrossings(pos: Uint32Array, n: number, h: number): void {
  if (n < 2) return;
  if (n > 16 && h > 0) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const b = Math.floor(pos[i] / h);
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
    const span = hi - lo + 1;
    if (span <= 4 * n + 1024) {
      if (bucketStart.length < span + 1) bucketStart = new Int32Array(2 * (span + 1));
      if (sortScratch.length < n) sortScratch = new Uint32Array(2 * n);
      bucketStart.fill(0, 0, span + 1);
      for (let i = 0; i < n; i++) bucketStart[Math.floor(pos[i] / h) - lo + 1]++;
      for (let b = 0; b < span; b++) bucketStart[b + 1] += bucketStart[b];
      for (let i = 0; i < n; i++) sortScratch[bucketStart[Math.floor(pos[i] / h) - lo]++] = pos[i];
      pos.set(sortScratch.subarray(0, n));
    } else {
      pos.subarray(0, n).sort();
      return;
    }
  }
  for (let i = 1; i < n; i++) {
    const v = pos[i];
    let j = i;
    while (j > 0 && pos[j - 1] > v) {
      pos[j] = pos[j - 1];
      j--;
    }
    pos[j] = v;
  }
}

function intScratch(slot: number, size: number): Int32Array {
  if (intScratchBuffers[slot].length < size) intScratchBuffers[slot] = new Int32Array(2 * size);
  return intScratchBuffers[slot];
}

/** C's `(int)` cast of a double: truncation toward zero. */
const toInt = Math.trunc;

/** C's `(int)` cast as x86-64 performs it, NaN included (a zero-length edge divides 0 by 0): INT_MIN. */
function cInt(value: number): number {
  return Number.isNaN(value) ? -2147483648 : Math.trunc(value);
}

/**
 * Rasterizes one polygon. `xy: [k*2]` = x0, y0, x1, y1, … in pixels (a pixel's centre is at +0.5),
 * `h`, `w`: image rows and columns → RLE `h×w`.
 */
export function polygonToRle(xy: ArrayLike<number>, h: number, w: number): Rle {
  const k = xy.length >> 1;
  const x = intScratch(0, k + 1);
  const y = intScratch(1, k + 1);
  for (let j = 0; j < k; j++) x[j] = toInt(SCALE * xy[2 * j] + 0.5);
  x[k] = x[0];
  for (let j = 0; j < k; j++) y[j] = toInt(SCALE * xy[2 * j + 1] + 0.5);
  y[k] = y[0];
  // pycocotools walks every edge on the upsampled grid, one point per step of its longer axis, and keeps
  // the steps where two consecutive points change column and the column falls on a pixel column back on
  // the pixel grid. Crossings are sorted afterwards, so they may be collected in any order: along an edge
  // that is longer in x, the column changes at every step and only every fifth step can be kept, so those
  // steps are visited directly; along an edge longer in y, the kept steps are located directly too.
  let total = 1;
  for (let j = 0; j < k; j++) total += Math.max(Math.abs(x[j] - x[j + 1]), Math.abs(y[j] - y[j + 1])) + 1;
  // an edge keeps at most one crossing per pixel column plus the one where it joins the previous edge,
  // so a far-reaching edge (huge coordinates) does not size the buffer by its length
  total = Math.min(total, k * (w + 2) + 2);
  if (posScratch.length < total) posScratch = new Uint32Array(2 * total);
  const pos = posScratch; // crossings as x*h + y (uint32)
  let n = 0;
  let first = true;
  let pu = 0, pv = 0; // last point of the previous edge
  for (let j = 0; j < k; j++) {
    let xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
    const dx = Math.abs(xe - xs), dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      let t = xs;
      xs = xe;
      xe = t;
      t = ys;
      ys = ye;
      ye = t;
    }
    if (dx >= dy) {
      const s = (ye - ys) / dx;
      // the edge's first and last points in walking order (t = dx − d when flipped)
      const t0 = flip ? dx : 0, t1 = flip ? 0 : dx;
      const u0 = t0 + xs, v0 = cInt(ys + s * t0 + 0.5);
      if (first) first = false;
      else if (u0 !== pu) {
        const c = crossing(u0, v0, pu, pv, h, w);
        if (c >= 0) pos[n++] = c;
      }
      // inner steps join t and t+1 (t = 0..dx−1), whose smaller column is xs + t: kept when xs + t = 5X + 2
      let t = ((((2 - xs) % SCALE) + SCALE) % SCALE);
      const tEnd = Math.min(dx - 1, (w - 1) * SCALE + 2 - xs);
      if (xs + t < 2) t += Math.ceil((2 - xs - t) / SCALE) * SCALE;
      for (; t <= tEnd; t += SCALE) {
        const va = (ys + s * t + 0.5) | 0, vb = (ys + s * (t + 1) + 0.5) | 0;
        let yd = va < vb ? va : vb;
        yd = (yd + 0.5) / SCALE - 0.5;
        if (yd < 0) yd = 0;
        else if (yd > h) yd = h;
        yd = Math.ceil(yd);
        pos[n++] = ((((xs + t - 2) / SCALE) * h + yd) >>> 0);
      }
      pu = t1 + xs;
      pv = cInt(ys + s * t1 + 0.5);
    } else {
      // longer in y: the column u(t) = (int)(xs + s·t + .5) moves by at most one per step, monotonically
      // (|s| < 1), so the step where it passes from 5X+2 to 5X+3 is found from an estimate and checked
      // with the same arithmetic on both sides, instead of walking every step
      const s = (xe - xs) / dy;
      const t0 = flip ? dy : 0, t1 = flip ? 0 : dy;
      const u0 = toInt(xs + s * t0 + 0.5), v0 = t0 + ys;
      if (first) first = false;
      else if (u0 !== pu) {
        const c = crossing(u0, v0, pu, pv, h, w);
        if (c >= 0) pos[n++] = c;
      }
      const uA = toInt(xs + 0.5), uB = toInt(xs + s * dy + 0.5);
      if (uA !== uB) {
        const rising = uB > uA;
        const lo = rising ? uA : uB, hi = rising ? uB : uA;
        let m = lo + ((((2 - lo) % SCALE) + SCALE) % SCALE); // smallest m ≥ lo with m = 5X + 2
        if (m < 2) m += Math.ceil((2 - m) / SCALE) * SCALE;
        const mEnd = Math.min(hi - 1, (w - 1) * SCALE + 2);
        for (; m <= mEnd; m += SCALE) {
          // smallest t whose column is past m (rising: > m, falling: ≤ m); the pair is (t−1, t)
          let t = Math.ceil((m + 0.5 - xs) / s);
          if (!(t >= 1)) t = 1;
          else if (t > dy) t = dy;
          if (rising) {
            while (t > 1 && toInt(xs + s * (t - 1) + 0.5) > m) t--;
            while (t < dy && !(toInt(xs + s * t + 0.5) > m)) t++;
          } else {
            while (t > 1 && toInt(xs + s * (t - 1) + 0.5) <= m) t--;
            while (t < dy && !(toInt(xs + s * t + 0.5) <= m)) t++;
          }
          let yd = t - 1 + ys; // rows of the pair: t−1+ys and t+ys, the smaller one
          yd = (yd + 0.5) / SCALE - 0.5;
          if (yd < 0) yd = 0;
          else if (yd > h) yd = h;
          yd = Math.ceil(yd);
          pos[n++] = (((m - 2) / SCALE) * h + yd) >>> 0;
        }
      }
      pu = toInt(xs + s * t1 + 0.5);
      pv = t1 + ys;
    }
  }
  sortCrossings(pos, n, h);
  pos[n++] = (h * w) >>> 0; // the largest position: it stays last
  const sorted = pos.subarray(0, n);
  // differences between consecutive crossings; a zero difference cancels two crossings
  let previous = 0;
  for (let j = 0; j < n; j++) {
    const t = sorted[j];
    sorted[j] = t - previous;
    previous = t;
  }
  const counts = new Uint32Array(n);
  let c = 0;
  let j = 0;
  counts[c++] = sorted[j++];
  while (j < n) {
    if (sorted[j] > 0) counts[c++] = sorted[j++];
    else {
      j++;
      if (j < n) counts[c - 1] += sorted[j++];
    }
  }
  return { h, w, counts: counts.slice(0, c) };
}

/** Rasterizes a box `[x, y, width, height]` (pixels) as its 4-corner polygon, as pycocotools' `frBbox`. */
export function boxToRle(x: number, y: number, bw: number, bh: number, h: number, w: number): Rle {
  const xe = x + bw;
  const ye = y + bh;
  return polygonToRle([x, y, x, ye, xe, ye, xe, y], h, w);
}

/**
 * A COCO segmentation as one RLE for an image of `h×w`, as pycocotools' `COCO.annToRLE`: a list of
 * polygons is rasterized and merged (union) — a list whose first entry has exactly 4 numbers is read as
 * boxes, as `frPyObjects` does —, an uncompressed RLE is taken with its own size, a compressed one is
 * decoded. Throws a {@link DetsegInputError} naming `field` on a malformed segmentation.
 */
export function segmentationToRle(seg: CocoSegmentation, h: number, w: number, field = 'segmentation'): Rle {
  if (Array.isArray(seg)) {
    if (seg.length === 0) throw new DetsegInputError('is an empty list of polygons', { field });
    const asBoxes = Array.isArray(seg[0]) && seg[0].length === 4;
    const parts: Rle[] = [];
    for (let i = 0; i < seg.length; i++) {
      const poly = seg[i];
      const where = { field: `${field}[${i}]` };
      if (!Array.isArray(poly)) throw new DetsegInputError('expected a list of numbers (a polygon)', where);
      for (let j = 0; j < poly.length; j++) {
        if (typeof poly[j] !== 'number' || !Number.isFinite(poly[j])) throw new DetsegInputError(`coordinate ${j} is not a finite number (${JSON.stringify(poly[j])})`, where);
        if (Math.abs(poly[j]) > MAX_POLYGON_COORDINATE) throw new DetsegInputError(`coordinate ${j} (${poly[j]}) is beyond ±${MAX_POLYGON_COORDINATE} pixels`, where);
      }
      if (asBoxes) {
        if (poly.length !== 4) throw new DetsegInputError(`expected a box of 4 numbers like the first entry, got ${poly.length}`, where);
        parts.push(boxToRle(poly[0], poly[1], poly[2], poly[3], h, w));
      } else {
        // a polygon of fewer than 3 points encloses nothing: it is a malformed annotation, not an empty mask
        if (poly.length < 6 || poly.length % 2 !== 0) throw new DetsegInputError(`a polygon needs at least 3 points (an even number ≥ 6 of coordinates), got ${poly.length}`, where);
        parts.push(polygonToRle(poly, h, w));
      }
    }
    return mergeRles(parts, false);
  }
  if (seg === null || typeof seg !== 'object' || !('counts' in seg) || !('size' in seg)) {
    throw new DetsegInputError('expected polygons or an RLE {size, counts}', { field });
  }
  const size = seg.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new DetsegInputError(`RLE size must be [height, width] of non-negative integers, got ${JSON.stringify(size)}`, { field: `${field}.size` });
  }
  const [rh, rw] = size;
  let counts: Uint32Array;
  if (typeof seg.counts === 'string') counts = countsFromString(seg.counts, `${field}.counts`);
  else if (Array.isArray(seg.counts)) {
    counts = new Uint32Array(seg.counts.length);
    for (let j = 0; j < seg.counts.length; j++) {
      const c = seg.counts[j];
      if (!Number.isInteger(c) || c < 0) throw new DetsegInputError(`count ${j} is not a non-negative integer (${JSON.stringify(c)})`, { field: `${field}.counts` });
      counts[j] = c;
    }
  } else throw new DetsegInputError('RLE counts must be a string or a list of integers', { field: `${field}.counts` });
  let sum = 0;
  for (let j = 0; j < counts.length; j++) sum += counts[j];
  if (sum !== rh * rw) throw new DetsegInputError(`RLE counts sum to ${sum}, expected height*width = ${rh * rw}`, { field: `${field}.counts` });
  return { h: rh, w: rw, counts };
}
