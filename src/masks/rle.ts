/**
 * COCO run-length encoding (RLE) of binary masks, with pycocotools' exact semantics.
 *
 * A mask of `h` rows and `w` columns is read in column-major (Fortran) order — pixel (x, y) sits at index
 * `x * h + y` — and stored as alternating run lengths, starting with a run of zeros (which may be 0):
 * `counts = [zeros, ones, zeros, ones, …]`. The counts sum to `h * w`.
 */

/** A run-length encoded mask: `h` rows, `w` columns, run lengths `counts` (uint32, column-major). */
export interface Rle {
  h: number;
  w: number;
  counts: Uint32Array;
}

/**
 * Encodes a binary mask. `mask: Uint8Array [w,h]` column-major (`mask[x*h + y]`), values 0/1 (any
 * non-zero byte starts a new run exactly as pycocotools compares bytes) → RLE.
 */
export function encodeMask(mask: ArrayLike<number>, h: number, w: number): Rle {
  const area = h * w;
  if (mask.length !== area) throw new RangeError(`encodeMask: mask has ${mask.length} pixels, expected h*w = ${area}`);
  const counts = new Uint32Array(area + 1);
  let k = 0;
  let previous = 0;
  let run = 0;
  for (let j = 0; j < area; j++) {
    const value = mask[j];
    if (value !== previous) {
      counts[k++] = run;
      run = 0;
      previous = value;
    }
    run++;
  }
  counts[k++] = run;
  return { h, w, counts: counts.slice(0, k) };
}

/** Decodes an RLE to a binary mask `Uint8Array [w,h]` column-major (`mask[x*h + y]`), values 0/1. */
export function decodeRle(rle: Rle): Uint8Array {
  const mask = new Uint8Array(rle.h * rle.w);
  let p = 0;
  let value = 0;
  for (let j = 0; j < rle.counts.length; j++) {
    const end = p + rle.counts[j];
    if (value) mask.fill(1, p, end);
    p = end;
    value ^= 1;
  }
  return mask;
}

/** Area of an RLE mask in pixels: the sum of the runs of ones (odd positions of `counts`). */
export function rleArea(rle: Rle): number {
  let area = 0;
  const c = rle.counts;
  for (let j = 1; j < c.length; j += 2) area += c[j];
  return area >>> 0; // pycocotools accumulates in a uint32
}

/**
 * Tight bounding box of an RLE mask, as pycocotools' `rleToBbox`: writes `[x, y, width, height]` in
 * whole pixels (xywh) to `out[offset..offset+3]`; an empty mask gives `[0, 0, 0, 0]`. A run of ones that
 * crosses a column boundary makes the box span every row, as in pycocotools.
 */
export function rleToBbox(rle: Rle, out: Float64Array | number[] = new Float64Array(4), offset = 0): Float64Array | number[] {
  const h = rle.h >>> 0;
  const c = rle.counts;
  const m = c.length & ~1; // a trailing run of zeros does not matter
  if (m === 0) {
    out[offset] = out[offset + 1] = out[offset + 2] = out[offset + 3] = 0;
    return out;
  }
  let xs = rle.w >>> 0, ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
  for (let j = 0; j < m; j++) {
    cc = (cc + c[j]) >>> 0;
    const t = (cc - (j & 1)) >>> 0; // first pixel of a run of ones, or last pixel of it
    const y = t % h;
    const x = (t - y) / h;
    if ((j & 1) === 0) xp = x;
    else if (xp < x) {
      ys = 0;
      ye = h - 1;
    }
    if (x < xs) xs = x;
    if (x > xe) xe = x;
    if (y < ys) ys = y;
    if (y > ye) ye = y;
  }
  out[offset] = xs;
  out[offset + 2] = xe - xs + 1;
  out[offset + 1] = ys;
  out[offset + 3] = ye - ys + 1;
  return out;
}

/**
 * Union (or intersection, with `intersect`) of RLE masks, as pycocotools' `merge`. All masks must have the
 * same size; otherwise the result is an empty 0×0 RLE, as pycocotools returns. No mask gives a 0×0 RLE.
 */
export function mergeRles(rles: readonly Rle[], intersect = false): Rle {
  if (rles.length === 0) return { h: 0, w: 0, counts: new Uint32Array(0) };
  const { h, w } = rles[0];
  if (rles.length === 1) return { h, w, counts: rles[0].counts.slice() };
  let acc = rles[0].counts;
  let out = new Uint32Array(0);
  for (let i = 1; i < rles.length; i++) {
    const b = rles[i];
    if (b.h !== h || b.w !== w) return { h: 0, w: 0, counts: new Uint32Array(0) };
    const bc = b.counts;
    // every output run ends where a run of either input ends: at most their two counts plus one
    if (out.length < acc.length + bc.length + 1) out = new Uint32Array(acc.length + bc.length + 1);
    let ca = acc[0], cb = bc[0];
    let va = 0, vb = 0, v = 0, m = 0, ia = 1, ib = 1, cc = 0, ct = 1;
    while (ct > 0) {
      const c = ca < cb ? ca : cb;
      cc += c;
      ct = 0;
      ca -= c;
      if (!ca && ia < acc.length) {
        ca = acc[ia++];
        va ^= 1;
      }
      ct += ca;
      cb -= c;
      if (!cb && ib < bc.length) {
        cb = bc[ib++];
        vb ^= 1;
      }
      ct += cb;
      const vp = v;
      v = intersect ? va & vb : va | vb;
      if (v !== vp || ct === 0) {
        out[m++] = cc;
        cc = 0;
      }
    }
    acc = out.slice(0, m);
  }
  return { h, w, counts: acc };
}
