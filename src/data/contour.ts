import { DetsegInputError } from '../util/errors.js';

/**
 * Parses a Sunnybrook contour file: one point per line, `x y` in image pixels separated by white
 * space (e.g. `120.50 137.50`); blank lines are ignored. The points form a closed polygon (the last
 * point joins the first). Throws a {@link DetsegInputError} naming `file` and the line when a line does
 * not hold exactly two finite numbers, or when there are fewer than 3 points.
 *
 * @param text the file's contents
 * @param file the file name, for error messages
 * @returns `Float32Array [K,2]` of (x, y) vertices
 */
export function parseContour(text: string, file: string): Float32Array {
  const lines = text.split(/\r?\n/);
  const coords: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === '') continue;
    const parts = trimmed.split(/\s+/);
    const x = Number(parts[0]);
    const y = Number(parts[1]);
    if (parts.length !== 2 || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new DetsegInputError(`expected two numbers "x y", got ${JSON.stringify(trimmed.slice(0, 60))}`, { file, field: `line ${i + 1}` });
    }
    coords.push(x, y);
  }
  if (coords.length < 6) throw new DetsegInputError(`a contour needs at least 3 points, got ${coords.length / 2}`, { file });
  return Float32Array.from(coords);
}

/**
 * Rasterizes a closed polygon into a binary mask with a scanline fill (even–odd rule).
 *
 * Pixel convention: pixel (column c, row r) is the unit square centred on the point (c, r) — integer
 * coordinates are pixel centres, as in DICOM and in PIL's `ImageDraw.polygon`, which is how the
 * Sunnybrook contours are usually rasterized. A pixel belongs to the mask when its centre is inside the
 * polygon. Centres exactly on the boundary follow the half-open rule of the crossing-number test: an
 * edge covers the rows y with min(y1, y2) ≤ y < max(y1, y2) excluded at its upper end (precisely:
 * `(y1 > r) !== (y2 > r)`), and on a row the span between two crossings x_a ≤ x_b covers the centres
 * with x_a ≤ c < x_b. So the mask of the square (0,0)–(4,4) holds the 16 centres 0..3 × 0..3.
 *
 * Cost: O(H·E + area) for E edges; one reusable crossing buffer, no allocation per row.
 *
 * @param points `Float32Array [K,2]` (x, y) vertices in pixels
 * @param height mask rows
 * @param width mask columns
 * @returns `Uint8Array [height, width]`, 1 inside, 0 outside
 */
export function rasterizePolygon(points: ArrayLike<number>, height: number, width: number): Uint8Array {
  if (points.length % 2 !== 0) throw new DetsegInputError(`expected (x, y) pairs, got an array of length ${points.length}`, { field: 'points' });
  const k = points.length >> 1;
  const mask = new Uint8Array(height * width);
  if (k < 3) return mask;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < k; i++) {
    const y = points[2 * i + 1];
    if (!Number.isFinite(y) || !Number.isFinite(points[2 * i])) throw new DetsegInputError(`vertex ${i} is not finite`, { field: 'points' });
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const crossings = new Float64Array(k);
  const rowStart = Math.max(0, Math.ceil(minY));
  const rowEnd = Math.min(height - 1, Math.floor(maxY));
  for (let r = rowStart; r <= rowEnd; r++) {
    let count = 0;
    for (let i = 0, j = k - 1; i < k; j = i++) {
      const xi = points[2 * i], yi = points[2 * i + 1];
      const xj = points[2 * j], yj = points[2 * j + 1];
      if (yi > r !== yj > r) {
        const x = ((xj - xi) * (r - yi)) / (yj - yi) + xi;
        // insertion sort: contours cross a row a handful of times
        let p = count++;
        while (p > 0 && crossings[p - 1] > x) {
          crossings[p] = crossings[p - 1];
          p--;
        }
        crossings[p] = x;
      }
    }
    const row = r * width;
    for (let p = 0; p + 1 < count; p += 2) {
      const c0 = Math.max(0, Math.ceil(crossings[p]));
      const c1 = Math.min(width - 1, Math.ceil(crossings[p + 1]) - 1);
      for (let c = c0; c <= c1; c++) mask[row + c] = 1;
    }
  }
  return mask;
}
