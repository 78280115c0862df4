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
  if (!Number.isInteger(d) || d <= 0 || d % 4 !== 0) throw new RangeError(`sinePositionalEncoding: d must be a positive multiple of 4, got ${d}`);
  const half = d / 2;
  const eps = 1e-6;
  const scale = 2 * Math.PI;
  const out = new Float32Array(height * width * d); // [H·W, d]
  const channel = (e: number, k: number): number => {
    const v = e / Math.pow(temperature, (2 * Math.floor(k / 2)) / half);
    return k % 2 === 0 ? Math.sin(v) : Math.cos(v);
  };
  for (let i = 0; i < height; i++) {
    const ey = ((i + 1) / (height + eps)) * scale;
    for (let j = 0; j < width; j++) {
      const ex = ((j + 1) / (width + eps)) * scale;
      const o = (i * width + j) * d;
      for (let k = 0; k < half; k++) {
        out[o + k] = channel(ey, k);
        out[o + half + k] = channel(ex, k);
      }
    }
  }
  return out;
}
