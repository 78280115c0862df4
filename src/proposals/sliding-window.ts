import { DetsegInputError } from '../util/errors.js';

/** A window size in pixels. */
export interface WindowSize {
  width: number;
  height: number;
}

function checkWholeNumber(value: number, field: string, min: number): void {
  if (!(Number.isSafeInteger(value) && value >= min)) throw new DetsegInputError(`must be a whole number ≥ ${min}, got ${value}`, { field });
}

/**
 * Number of all boxes with integer corners inside a W×H image, i.e. of all windows of every size
 * w = 1..W, h = 1..H at every position:
 *
 *   Σ_{h=1..H} Σ_{w=1..W} (W − w + 1)(H − h + 1) = [W(W+1)/2] · [H(H+1)/2] = H(H+1)W(W+1)/4,
 *
 * because each sum over one axis is the triangular number n(n+1)/2 (choose the two distinct corner
 * coordinates x1 < x2 among W + 1 grid lines). Computed exactly with BigInt. For 800×600 it is
 * 57,768,120,000 ≈ 5.8·10¹⁰. (The lecture slide writes the formula with /2 instead of /4 and the value
 * as "58M"; /2 would double the count, and 58 million is 1,000 times too small: it is 58 billion.)
 *
 * `width`, `height`: image size in pixels, whole numbers ≥ 0 → count as `bigint`.
 */
export function countAllBoxes(width: number, height: number): bigint {
  checkWholeNumber(width, 'width', 0);
  checkWholeNumber(height, 'height', 0);
  const w = BigInt(width), h = BigInt(height);
  return (h * (h + 1n) * w * (w + 1n)) / 4n;
}

/**
 * Number of windows {@link slidingWindows} enumerates, without enumerating them: per size,
 * (⌊(W − w)/stride⌋ + 1)(⌊(H − h)/stride⌋ + 1) positions when the window fits, else 0.
 */
export function countWindows(imageWidth: number, imageHeight: number, sizes: readonly WindowSize[], stride: number): number {
  checkWindowArgs(imageWidth, imageHeight, sizes, stride);
  let total = 0;
  for (const s of sizes) {
    if (s.width > imageWidth || s.height > imageHeight) continue;
    total += (Math.floor((imageWidth - s.width) / stride) + 1) * (Math.floor((imageHeight - s.height) / stride) + 1);
  }
  return total;
}

function checkWindowArgs(imageWidth: number, imageHeight: number, sizes: readonly WindowSize[], stride: number): void {
  checkWholeNumber(imageWidth, 'width', 0);
  checkWholeNumber(imageHeight, 'height', 0);
  checkWholeNumber(stride, 'stride', 1);
  sizes.forEach((s, k) => {
    checkWholeNumber(s.width, `sizes[${k}].width`, 1);
    checkWholeNumber(s.height, `sizes[${k}].height`, 1);
  });
}

/**
 * Every sliding window of the given sizes inside a W×H image: for each size (in the order given), top-
 * left corners at x = 0, stride, 2·stride, … while x + w ≤ W, and likewise in y (rows outer, columns
 * inner). Windows that would cross the right or bottom border are not produced, so a border strip
 * narrower than the stride may be uncovered, as with any strided scan.
 *
 * `imageWidth`, `imageHeight`: pixels; `sizes`: window sizes in pixels; `stride`: pixels ≥ 1 →
 * `Float32Array [K,4] xyxy`, K = {@link countWindows}.
 */
export function slidingWindows(imageWidth: number, imageHeight: number, sizes: readonly WindowSize[], stride: number): Float32Array {
  const total = countWindows(imageWidth, imageHeight, sizes, stride);
  const out = new Float32Array(4 * total); // [K, 4]
  let o = 0;
  for (const s of sizes) {
    if (s.width > imageWidth || s.height > imageHeight) continue;
    for (let y = 0; y + s.height <= imageHeight; y += stride) {
      for (let x = 0; x + s.width <= imageWidth; x += stride) {
        out[o++] = x; out[o++] = y; out[o++] = x + s.width; out[o++] = y + s.height;
      }
    }
  }
  return out;
}

/** Parses `64x64,128x64` (width × height in pixels) into window sizes. */
export function parseWindowSizes(text: string): WindowSize[] {
  return text.split(',').map((part) => {
    const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/.exec(part);
    if (!m) throw new DetsegInputError(`expected WIDTHxHEIGHT sizes separated by commas (e.g. 64x64,128x64), got '${part}'`, { field: '--sizes' });
    const size = { width: Number(m[1]), height: Number(m[2]) };
    if (size.width < 1 || size.height < 1) throw new DetsegInputError(`window sizes must be at least 1x1, got '${part.trim()}'`, { field: '--sizes' });
    return size;
  });
}
