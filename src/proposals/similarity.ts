import { gaussianSmooth } from './felzenszwalb.js';

/**
 * Region features and the similarity measures of selective search (Uijlings et al. 2013, §3.2), and
 * the similarity set S that hierarchical grouping draws the most similar pair of neighbours from.
 *
 * - colour: a histogram of 25 bins per channel (channels on a 0–255 scale), L1-normalised over all
 *   channels together (75 numbers for 3 channels); s_colour = Σ min(c_i, c_j) (histogram intersection).
 * - texture: Gaussian-derivative (σ = 1) responses in 8 orientations, 10 magnitude bins each, per
 *   channel (240 numbers for 3 channels), L1-normalised; s_texture = Σ min(t_i, t_j). The 8 orientations
 *   are the signed responses along 4 axes (0°, 45°, 90°, 135°): a positive response counts for θ, a
 *   negative one for θ + 180° (the other direction of that axis gets a zero response). Magnitudes are
 *   binned linearly on [0, the largest response of that channel in the image] — the paper's steered
 *   derivative filters, computed from one smoothed gradient (a first-derivative Gaussian is steerable).
 * - size: s_size = 1 − (|r_i| + |r_j|) / |image|, which makes small regions merge first.
 * - fill: s_fill = 1 − (|BB_ij| − |r_i| − |r_j|) / |image|, with BB_ij the box around both regions,
 *   which makes regions that fit into each other merge first.
 * When two regions merge, histograms combine as the size-weighted average (still L1-normalised).
 */

/** Colour histogram bins per channel. */
export const COLOUR_BINS = 25;
/** Texture orientations per channel. */
export const TEXTURE_ORIENTATIONS = 8;
/** Texture magnitude bins per orientation. */
export const TEXTURE_BINS = 10;

/** Which of the four similarities a strategy adds up (each weight is 0 or 1 in the paper). */
export interface SimilarityWeights {
  colour: boolean;
  texture: boolean;
  size: boolean;
  fill: boolean;
}

/**
 * Texture codes of every pixel: for channel c and axis a (0°, 45°, 90°, 135°), the code
 * `orientation * 10 + bin` of the non-zero response (orientation a for a positive derivative, a + 4 for
 * a negative one). `values: Float32Array [H, W, C]` on a 0–255 scale → `Uint8Array [H, W, C, 4]`.
 */
export function textureCodes(values: Float32Array, width: number, height: number, channels: number): Uint8Array {
  const smooth = gaussianSmooth(values, width, height, channels, 1); // [H, W, C]
  const n = width * height;
  const deriv = new Float32Array(n * channels * 4); // [H, W, C, 4] signed directional derivatives
  const maxAbs = new Float64Array(channels);
  const s2 = Math.SQRT1_2;
  for (let y = 0; y < height; y++) {
    const ym = y > 0 ? y - 1 : 0, yp = y + 1 < height ? y + 1 : height - 1;
    for (let x = 0; x < width; x++) {
      const xm = x > 0 ? x - 1 : 0, xp = x + 1 < width ? x + 1 : width - 1;
      const p = y * width + x;
      for (let c = 0; c < channels; c++) {
        const gx = (smooth[(y * width + xp) * channels + c] - smooth[(y * width + xm) * channels + c]) / (xp - xm || 1);
        const gy = (smooth[(yp * width + x) * channels + c] - smooth[(ym * width + x) * channels + c]) / (yp - ym || 1);
        const o = (p * channels + c) * 4;
        deriv[o] = gx;
        deriv[o + 1] = s2 * (gx + gy);
        deriv[o + 2] = gy;
        deriv[o + 3] = s2 * (gy - gx);
        for (let a = 0; a < 4; a++) {
          const m = Math.abs(deriv[o + a]);
          if (m > maxAbs[c]) maxAbs[c] = m;
        }
      }
    }
  }
  const codes = new Uint8Array(n * channels * 4);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < channels; c++) {
      const scale = maxAbs[c] > 0 ? TEXTURE_BINS / maxAbs[c] : 0;
      for (let a = 0; a < 4; a++) {
        const i = (p * channels + c) * 4 + a;
        const d = deriv[i];
        const bin = Math.min(TEXTURE_BINS - 1, Math.floor(Math.abs(d) * scale));
        codes[i] = (d < 0 ? a + 4 : a) * TEXTURE_BINS + bin;
      }
    }
  }
  return codes;
}

/**
 * The regions of one hierarchy, with room for the regions that grouping creates: `capacity` rows, of
 * which the first `count` are filled. Boxes are integer pixel corners, exclusive at the far side.
 */
export class RegionFeatures {
  count: number;
  /** Pixels per region: `Float64Array [capacity]`. */
  readonly size: Float64Array;
  /** Box of each region: `Int32Array [capacity, 4]` xyxy (x2, y2 exclusive: a 1-pixel region is (x, y, x+1, y+1)). */
  readonly boxes: Int32Array;
  /** Colour histograms, L1-normalised: `Float32Array [capacity, colourDims]` (empty when not used). */
  readonly colour: Float32Array;
  readonly colourDims: number;
  /** Texture histograms, L1-normalised: `Float32Array [capacity, textureDims]` (empty when not used). */
  readonly texture: Float32Array;
  readonly textureDims: number;

  constructor(capacity: number, colourDims: number, textureDims: number) {
    this.count = 0;
    this.size = new Float64Array(capacity);
    this.boxes = new Int32Array(capacity * 4);
    this.colourDims = colourDims;
    this.textureDims = textureDims;
    this.colour = new Float32Array(capacity * colourDims);
    this.texture = new Float32Array(capacity * textureDims);
  }

  /** A deep copy (same capacity and contents). */
  clone(): RegionFeatures {
    const copy = new RegionFeatures(this.size.length, this.colourDims, this.textureDims);
    copy.count = this.count;
    copy.size.set(this.size);
    copy.boxes.set(this.boxes);
    copy.colour.set(this.colour);
    copy.texture.set(this.texture);
    return copy;
  }
}

/**
 * Features of the initial regions of a segmentation, in a {@link RegionFeatures} with room for the
 * 2R−1 regions of a full hierarchy. `labels: Int32Array [H*W]` (0..count-1); `values: Float32Array
 * [H, W, C]` (0–255) for colour histograms, `codes: Uint8Array [H, W, C, 4]` from {@link textureCodes}
 * for texture histograms — pass `undefined` for a feature that no similarity uses.
 */
export function initialRegions(labels: Int32Array, count: number, width: number, height: number, channels: number, values?: Float32Array, codes?: Uint8Array): RegionFeatures {
  const colourDims = values ? COLOUR_BINS * channels : 0;
  const textureDims = codes ? TEXTURE_ORIENTATIONS * TEXTURE_BINS * channels : 0;
  const f = new RegionFeatures(Math.max(1, 2 * count - 1), colourDims, textureDims);
  f.count = count;
  const boxes = f.boxes;
  for (let r = 0; r < count; r++) {
    boxes[4 * r] = width;
    boxes[4 * r + 1] = height;
    boxes[4 * r + 2] = 0;
    boxes[4 * r + 3] = 0;
  }
  const binScale = COLOUR_BINS / 256;
  const orientationBins = TEXTURE_ORIENTATIONS * TEXTURE_BINS;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const r = labels[p];
      f.size[r]++;
      if (x < boxes[4 * r]) boxes[4 * r] = x;
      if (y < boxes[4 * r + 1]) boxes[4 * r + 1] = y;
      if (x + 1 > boxes[4 * r + 2]) boxes[4 * r + 2] = x + 1;
      if (y + 1 > boxes[4 * r + 3]) boxes[4 * r + 3] = y + 1;
      if (values) {
        for (let c = 0; c < channels; c++) {
          const v = values[p * channels + c];
          const bin = Math.min(COLOUR_BINS - 1, Math.max(0, Math.floor(v * binScale)));
          f.colour[r * colourDims + c * COLOUR_BINS + bin]++;
        }
      }
      if (codes) {
        for (let c = 0; c < channels; c++) {
          const base = r * textureDims + c * orientationBins;
          for (let a = 0; a < 4; a++) {
            const code = codes[(p * channels + c) * 4 + a];
            f.texture[base + code]++;
            // the opposite direction of this axis has a zero response: its lowest bin
            const orientation = (code / TEXTURE_BINS) | 0;
            f.texture[base + ((orientation + 4) % TEXTURE_ORIENTATIONS) * TEXTURE_BINS]++;
          }
        }
      }
    }
  }
  for (let r = 0; r < count; r++) {
    normaliseRow(f.colour, r, colourDims);
    normaliseRow(f.texture, r, textureDims);
  }
  return f;
}

function normaliseRow(h: Float32Array, row: number, dims: number): void {
  let sum = 0;
  for (let d = 0; d < dims; d++) sum += h[row * dims + d];
  if (sum > 0) for (let d = 0; d < dims; d++) h[row * dims + d] /= sum;
}

/** Histogram intersection Σ_d min(h[i,d], h[j,d]) of rows i and j of `h: [R, dims]`; in [0, 1] for L1-normalised rows. */
export function histogramIntersection(h: Float32Array, dims: number, i: number, j: number): number {
  let s = 0;
  const oi = i * dims, oj = j * dims;
  for (let d = 0; d < dims; d++) {
    const a = h[oi + d], b = h[oj + d];
    s += a < b ? a : b;
  }
  return s;
}

/**
 * Similarity s(r_i, r_j) of two regions: the sum of the chosen measures (colour, texture, size, fill),
 * each in [0, 1]. `imageArea` in pixels.
 */
export function regionSimilarity(f: RegionFeatures, i: number, j: number, weights: SimilarityWeights, imageArea: number): number {
  let s = 0;
  if (weights.colour) s += histogramIntersection(f.colour, f.colourDims, i, j);
  if (weights.texture) s += histogramIntersection(f.texture, f.textureDims, i, j);
  if (weights.size) s += 1 - (f.size[i] + f.size[j]) / imageArea;
  if (weights.fill) {
    const b = f.boxes;
    const w = Math.max(b[4 * i + 2], b[4 * j + 2]) - Math.min(b[4 * i], b[4 * j]);
    const h = Math.max(b[4 * i + 3], b[4 * j + 3]) - Math.min(b[4 * i + 1], b[4 * j + 1]);
    s += 1 - (w * h - f.size[i] - f.size[j]) / imageArea;
  }
  return s;
}

/**
 * Appends region t = r_i ∪ r_j to `f`: size is the sum, box the union, histograms the size-weighted
 * average. Returns t.
 */
export function mergeRegions(f: RegionFeatures, i: number, j: number): number {
  const t = f.count++;
  const si = f.size[i], sj = f.size[j];
  const st = si + sj;
  f.size[t] = st;
  const b = f.boxes;
  b[4 * t] = Math.min(b[4 * i], b[4 * j]);
  b[4 * t + 1] = Math.min(b[4 * i + 1], b[4 * j + 1]);
  b[4 * t + 2] = Math.max(b[4 * i + 2], b[4 * j + 2]);
  b[4 * t + 3] = Math.max(b[4 * i + 3], b[4 * j + 3]);
  const wi = si / st, wj = sj / st;
  for (let d = 0; d < f.colourDims; d++) f.colour[t * f.colourDims + d] = wi * f.colour[i * f.colourDims + d] + wj * f.colour[j * f.colourDims + d];
  for (let d = 0; d < f.textureDims; d++) f.texture[t * f.textureDims + d] = wi * f.texture[i * f.textureDims + d] + wj * f.texture[j * f.textureDims + d];
  return t;
}

/**
 * The similarity set S of hierarchical grouping: pairs (a, b) of neighbouring regions with their
 * similarity. `best` returns the pair of highest similarity whose regions are both still alive — ties
 * go to the smaller a, then the smaller b, so that every implementation merges in the same order.
 * Pairs of merged regions are dropped lazily.
 */
export interface SimilaritySet {
  /** Adds a pair; a < b. */
  push(similarity: number, a: number, b: number): void;
  /** Removes and returns the best live pair as [a, b], or undefined when none is left. */
  best(alive: Uint8Array): [number, number] | undefined;
}

/** `x` ranks before `y`: higher similarity, then smaller a, then smaller b. */
function before(sx: number, ax: number, bx: number, sy: number, ay: number, by: number): boolean {
  return sx > sy || (sx === sy && (ax < ay || (ax === ay && bx < by)));
}

/** {@link SimilaritySet} as a binary max-heap on typed arrays: O(log P) per push and pop. */
export class SimilarityHeap implements SimilaritySet {
  private sim: Float64Array;
  private a: Int32Array;
  private b: Int32Array;
  private length = 0;

  constructor(capacity = 1024) {
    this.sim = new Float64Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
  }

  push(similarity: number, a: number, b: number): void {
    if (this.length === this.sim.length) this.grow();
    const { sim, a: as, b: bs } = this;
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(similarity, a, b, sim[parent], as[parent], bs[parent])) break;
      this.move(parent, i);
      i = parent;
    }
    this.put(i, similarity, a, b);
  }

  best(alive: Uint8Array): [number, number] | undefined {
    while (this.length > 0) {
      const a = this.a[0], b = this.b[0];
      this.popTop();
      if (alive[a] && alive[b]) return [a, b];
    }
    return undefined;
  }

  private popTop(): void {
    const { sim, a: as, b: bs } = this;
    const n = --this.length;
    if (n === 0) return;
    const s = sim[n], a = as[n], b = bs[n];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(sim[r], as[r], bs[r], sim[l], as[l], bs[l]) ? r : l;
      if (!before(sim[c], as[c], bs[c], s, a, b)) break;
      this.move(c, i);
      i = c;
    }
    this.put(i, s, a, b);
  }

  /** Copies slot `from` into slot `to`. */
  private move(from: number, to: number): void {
    this.put(to, this.sim[from], this.a[from], this.b[from]);
  }

  private put(i: number, similarity: number, a: number, b: number): void {
    this.sim[i] = similarity;
    this.a[i] = a;
    this.b[i] = b;
  }

  private grow(): void {
    const cap = this.sim.length * 2;
    const sim = new Float64Array(cap), a = new Int32Array(cap), b = new Int32Array(cap);
    sim.set(this.sim);
    a.set(this.a);
    b.set(this.b);
    this.sim = sim;
    this.a = a;
    this.b = b;
  }
}

/** {@link SimilaritySet} as a flat list scanned in full for each pop (dead pairs compacted away): O(P) per pop. */
export class SimilarityScan implements SimilaritySet {
  private sim: number[] = [];
  private a: number[] = [];
  private b: number[] = [];

  push(similarity: number, a: number, b: number): void {
    this.sim.push(similarity);
    this.a.push(a);
    this.b.push(b);
  }

  best(alive: Uint8Array): [number, number] | undefined {
    const { sim, a, b } = this;
    let kept = 0;
    let bestAt = -1;
    for (let i = 0; i < sim.length; i++) {
      if (!alive[a[i]] || !alive[b[i]]) continue;
      sim[kept] = sim[i];
      a[kept] = a[i];
      b[kept] = b[i];
      if (bestAt < 0 || before(sim[kept], a[kept], b[kept], sim[bestAt], a[bestAt], b[bestAt])) bestAt = kept;
      kept++;
    }
    sim.length = a.length = b.length = kept;
    if (bestAt < 0) return undefined;
    const pair: [number, number] = [a[bestAt], b[bestAt]];
    // remove by moving the last pair into its place
    sim[bestAt] = sim[kept - 1];
    a[bestAt] = a[kept - 1];
    b[bestAt] = b[kept - 1];
    sim.length = a.length = b.length = kept - 1;
    return pair;
  }
}
