import { DetsegInputError } from '../util/errors.js';
import type { Rle } from './rle.js';

/**
 * pycocotools' compressed RLE strings: each count becomes a little-endian sequence of 5-bit groups (like
 * LEB128, but 6 bits per character: bit 0x20 says "more follows", bit 0x10 of the last group is the
 * sign), written as ASCII characters 48–111. From the fourth count on (index ≥ 3), the difference to the
 * count two places before is written instead of the count itself.
 */

const TWO_POW_32 = 4294967296;

/** Compresses run lengths `counts: Uint32Array [m]` to pycocotools' string. */
export function countsToString(counts: ArrayLike<number>): string {
  const chars: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    for (;;) {
      const group = ((x % 32) + 32) % 32; // x & 0x1f on a two's-complement integer
      x = Math.floor(x / 32); // arithmetic shift right by 5
      const more = group & 0x10 ? x !== -1 : x !== 0;
      chars.push((more ? group | 0x20 : group) + 48);
      if (!more) break;
    }
  }
  let s = '';
  for (let i = 0; i < chars.length; i += 8192) s += String.fromCharCode(...chars.slice(i, i + 8192));
  return s;
}

/**
 * Decompresses pycocotools' string to run lengths (`Uint32Array [m]`). Throws a
 * {@link DetsegInputError} naming `field` on a character outside 48–111 or a truncated number.
 */
export function countsFromString(s: string, field = 'counts'): Uint32Array {
  const out = new Uint32Array(s.length);
  let m = 0;
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let scale = 1; // 2^(5k)
    for (;;) {
      if (p >= s.length) throw new DetsegInputError(`compressed RLE string ends inside a number (at character ${p})`, { field });
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new DetsegInputError(`compressed RLE string has an invalid character ${JSON.stringify(s[p])} at ${p}`, { field });
      x += (c & 0x1f) * scale;
      scale *= 32;
      p++;
      if (!(c & 0x20)) {
        if (c & 0x10) x -= scale; // sign-extend
        break;
      }
    }
    if (m > 2) x += out[m - 2];
    out[m++] = ((x % TWO_POW_32) + TWO_POW_32) % TWO_POW_32; // (uint) cast, as pycocotools
  }
  return out.slice(0, m);
}

/** An RLE from a compressed string and its size `[h, w]`. */
export function rleFromString(s: string, h: number, w: number, field = 'counts'): Rle {
  return { h, w, counts: countsFromString(s, field) };
}
