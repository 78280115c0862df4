/**
 * DETR's fixed 2-D sine positional encoding of an `height × width` feature map (Carion et al. 2020,
 * after "Attention is all you need" in each axis). Row and column positions are counted from 1 and
 * normalised to (0, 2π]: e_y = (i + 1) / (height + ε) · 2π, e_x = (j + 1) / (width + ε) · 2π, ε = 1e-6.
 * Half of the `d` channels encode the row, half the column; with F = d / 2 and k in 0..F−1:
 *
 *     channel k       (row):    sin(e_y / T^(2⌊k/2⌋/F)) for even k, cos(…) for odd k
 *     channel F + k   (column): the same with e_x
 *
 * Returns `Float32Array [height·width, d]`, row-major over (i, j). `d` must be a multiple of 4 (so that
 * each half holds sin–cos pairs); `temperature` T defaults to 10000.
 */
export function sinePositionalEncoding(height: number, width: number, d: number, temperature = 10000): Float32Array {
  checkWidth(d);
  const eps = 1e-6;
  const scale = 2 * Math.PI;
  const out = new Float32Array(height * width * d); // [H·W, d]
  for (let i = 0; i < height; i++) {
    const ey = ((i + 1) / (height + eps)) * scale;
    for (let j = 0; j < width; j++) encodeAt(((j + 1) / (width + eps)) * scale, ey, d, temperature, out, (i * width + j) * d);
  }
  return out;
}

/**
 * The same encoding at continuous points: `points: Float32Array [N,2]` (x, y) as fractions of the image
 * side map to e_x = 2π·x, e_y = 2π·y, so the point at the centre of map cell (i, j) is encoded exactly as
 * {@link sinePositionalEncoding} encodes that cell up to its (i + 1) / size convention. Returns
 * `Float32Array [N, d]`.
 */
export function sinePointEncoding(points: Float32Array, d: number, temperature = 10000): Float32Array {
  checkWidth(d);
  const n = points.length / 2;
  const out = new Float32Array(n * d); // [N, d]
  for (let q = 0; q < n; q++) encodeAt(2 * Math.PI * points[2 * q], 2 * Math.PI * points[2 * q + 1], d, temperature, out, q * d);
  return out;
}

/**
 * {@link sinePointEncoding} as one linear map and a sine, for graphs: encoding = sin(points · F + φ) with
 * `frequencies` F `Float32Array [2, d]` (row 0 multiplies x, row 1 y) and `phases` φ `Float32Array [d]`
 * (π/2 where the channel is a cosine).
 */
export function sinePointEncodingLinear(d: number, temperature = 10000): { frequencies: Float32Array; phases: Float32Array } {
  checkWidth(d);
  const half = d / 2;
  const frequencies = new Float32Array(2 * d); // [2, d]
  const phases = new Float32Array(d);
  for (let k = 0; k < half; k++) {
    const f = (2 * Math.PI) / Math.pow(temperature, (2 * Math.floor(k / 2)) / half);
    frequencies[d + k] = f; // y drives the first half
    frequencies[half + k] = f; // x the second
    phases[k] = phases[half + k] = k % 2 === 0 ? 0 : Math.PI / 2;
  }
  return { frequencies, phases };
}

function checkWidth(d: number): void {
  if (!Number.isInteger(d) || d <= 0 || d % 4 !== 0) throw new RangeError(`sine positional encoding: d must be a positive multiple of 4, got ${d}`);
}

/** Writes the d channels of angles (e_x, e_y) at `out[offset …]`: the row (y) half first, then the column (x) half. */
function encodeAt(ex: number, ey: number, d: number, temperature: number, out: Float32Array, offset: number): void {
  const half = d / 2;
  for (let k = 0; k < half; k++) {
    const f = Math.pow(temperature, (2 * Math.floor(k / 2)) / half);
    out[offset + k] = k % 2 === 0 ? Math.sin(ey / f) : Math.cos(ey / f);
    out[offset + half + k] = k % 2 === 0 ? Math.sin(ex / f) : Math.cos(ex / f);
  }
}
