/**
 * Pasting a Mask R-CNN mask into the image (torchvision's `paste_masks_in_image` without its one-cell
 * border padding): the M×M mask of a detection covers its box; every image pixel whose centre lies in
 * the box reads the mask bilinearly at the matching position (mask cell centres at (i + 0.5)·w/M,
 * clamped at the border, as `F.interpolate(..., mode='bilinear', align_corners=False)`), and is set
 * where that probability is ≥ `threshold`.
 */

/** Per-axis bilinear taps of the pixels of a box: for pixel p (image index start + p) two mask cells and the weight of the second. */
interface AxisTaps {
  start: number;
  count: number;
  low: Int32Array;
  high: Int32Array;
  frac: Float32Array;
}

function axisTaps(lo: number, hi: number, m: number, size: number): AxisTaps {
  const start = Math.max(0, Math.ceil(lo - 0.5));
  const end = Math.min(size, Math.ceil(hi - 0.5)); // pixels whose centre p + 0.5 lies in [lo, hi)
  const count = Math.max(0, end - start);
  const low = new Int32Array(count), high = new Int32Array(count), frac = new Float32Array(count);
  const scale = m / Math.max(hi - lo, 1e-6);
  for (let p = 0; p < count; p++) {
    const u = Math.min(Math.max((start + p + 0.5 - lo) * scale - 0.5, 0), m - 1); // mask coordinate, clamped
    const l = Math.floor(u);
    low[p] = l;
    high[p] = Math.min(l + 1, m - 1);
    frac[p] = u - l;
  }
  return { start, count, low, high, frac };
}

/**
 * Pastes one mask. `mask: Float32Array [M, M]` row-major probabilities, `box` (x1, y1, x2, y2) in image
 * pixels, image `width × height` → `Uint8Array [H, W]` row-major, 1 where the pasted probability is
 * ≥ `threshold` (default 0.5). The interpolation is separable, so the taps are computed once per row
 * and once per column.
 */
export function pasteMask(mask: Float32Array, m: number, box: ArrayLike<number>, width: number, height: number, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(width * height);
  const cols = axisTaps(box[0], box[2], m, width);
  const rows = axisTaps(box[1], box[3], m, height);
  for (let r = 0; r < rows.count; r++) {
    const top = rows.low[r] * m, bottom = rows.high[r] * m, fy = rows.frac[r];
    const o = (rows.start + r) * width + cols.start;
    for (let c = 0; c < cols.count; c++) {
      const a = cols.low[c], b = cols.high[c], fx = cols.frac[c];
      const upper = mask[top + a] + fx * (mask[top + b] - mask[top + a]);
      const lower = mask[bottom + a] + fx * (mask[bottom + b] - mask[bottom + a]);
      if (upper + fy * (lower - upper) >= threshold) out[o + c] = 1;
    }
  }
  return out;
}
