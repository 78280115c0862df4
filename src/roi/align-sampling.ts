/**
 * Bilinear sampling of RoI Align along one axis of the feature map. RoI Align's sample grid is a
 * product of row positions and column positions, and torchvision's bilinear rule (drop a sample
 * outside −1..length, clamp to the border otherwise) acts on each axis alone, so the weight of the
 * cell (y, x) in bin (ph, pw) factors as rowWeight(ph, y) · colWeight(pw, x) / count. This file builds
 * those per-axis weights; a bin's taps are the product of its row and column lists, with the weights
 * of samples that share a cell merged.
 */
export class AxisSamples {
  /** Cell index (row or column) of each tap, `[bins, capacity]` with `length[bin]` used per bin. */
  index: Int32Array;
  /** Summed bilinear weight of each tap (no division by the sample count). */
  weight: Float64Array;
  /** Taps used per bin, `Int32Array [bins]`. */
  length: Int32Array;
  /** Taps per bin that fit (2 per sample, at most one per cell of the axis). */
  capacity = 0;

  constructor() {
    this.index = new Int32Array(0);
    this.weight = new Float64Array(0);
    this.length = new Int32Array(0);
  }

  /**
   * Fills the taps of `bins` bins along an axis of `size` cells, for a RoI starting at `start` cells
   * with bins of `binSize` cells and `grid` samples per bin (torchvision's roi_bin_grid). Positions are
   * computed in float32 as torchvision's CPU kernel does: sample i of bin p lies at
   * `start + p·binSize + (i + 0.5)·binSize / grid`. A sample below −1 or beyond `size` is dropped;
   * otherwise it is clamped to ≥ 0, and from `size − 1` on it reads the last cell alone.
   */
  fill(start: number, binSize: number, grid: number, bins: number, size: number): void {
    const fr = Math.fround;
    const samples = size > 0 ? Math.max(grid, 0) : 0; // an empty map has nothing to sample
    // Each sample adds up to 2 taps, and the taps of a bin are distinct cells: at most `size`.
    this.reserve(bins, Math.min(2 * samples, size));
    const { index, weight, length, capacity } = this;
    for (let p = 0; p < bins; p++) {
      const base = p * capacity;
      let n = 0;
      const binStart = fr(start + fr(p * binSize));
      for (let i = 0; i < samples; i++) {
        let pos = fr(binStart + fr(fr((i + 0.5) * binSize) / grid));
        if (pos < -1 || pos > size) continue; // the whole sample reads 0
        if (pos <= 0) pos = 0;
        let low = Math.trunc(pos);
        let high: number;
        if (low >= size - 1) {
          high = low = size - 1;
          pos = low;
        } else {
          high = low + 1;
        }
        const frac = fr(pos - low); // torchvision's ly
        n = addTap(index, weight, base, n, low, fr(1 - frac));
        n = addTap(index, weight, base, n, high, frac);
      }
      length[p] = n;
    }
  }

  private reserve(bins: number, capacity: number): void {
    this.capacity = capacity;
    if (this.index.length < bins * capacity) {
      this.index = new Int32Array(bins * capacity);
      this.weight = new Float64Array(bins * capacity);
    }
    if (this.length.length < bins) this.length = new Int32Array(bins);
  }
}

/**
 * Adds `w` to the tap of cell `cell` among the `n` taps from `base`, or appends a tap. Samples come in
 * increasing position, so the cells seen so far are sorted and a repeated cell is one of the last two.
 */
function addTap(index: Int32Array, weight: Float64Array, base: number, n: number, cell: number, w: number): number {
  for (let t = n - 1; t >= 0 && t >= n - 2; t--) {
    if (index[base + t] === cell) {
      weight[base + t] += w;
      return n;
    }
  }
  index[base + n] = cell;
  weight[base + n] = w;
  return n + 1;
}
