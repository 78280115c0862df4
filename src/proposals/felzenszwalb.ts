import { DetsegInputError } from '../util/errors.js';

/**
 * Felzenszwalb–Huttenlocher graph-based image segmentation ("Efficient Graph-Based Image Segmentation",
 * IJCV 2004), the initial regions of selective search.
 *
 * The image is smoothed with a Gaussian (sigma), each pixel is joined to its 8 neighbours by an edge
 * weighted by the Euclidean colour distance between the smoothed pixels, and edges are visited in
 * increasing weight. Two components C1, C2 are merged by an edge of weight w when
 * w ≤ min(Int(C1) + k/|C1|, Int(C2) + k/|C2|), where Int(C) is the largest edge weight of the minimum
 * spanning tree of C (the weight of the edge that last grew C, since edges come sorted). A second pass
 * over the same sorted edges then merges every component smaller than `minSize` pixels into its
 * neighbour along the lightest edge.
 */

/** Options of {@link felzenszwalb}. */
export interface FelzenszwalbOptions {
  /** The scale k of the threshold k/|C|, in the units of the pixel values (0–255 scale). Larger k: larger regions. Default 100. */
  k?: number;
  /** Standard deviation of the Gaussian smoothing, in pixels (0 = no smoothing). Default 0.8 (the paper's). */
  sigma?: number;
  /** Components smaller than this many pixels are merged into a neighbour. Default 20. */
  minSize?: number;
}

/** Result of {@link felzenszwalb}. */
export interface Segmentation {
  /** Region index of each pixel, row-major: `Int32Array [H*W]`, values 0..count-1 numbered in raster order of first pixel. */
  labels: Int32Array;
  /** Number of regions. */
  count: number;
}

/** Half-width of the Gaussian kernel used for `sigma`: ceil(4 sigma), as in the authors' code. */
export function gaussianRadius(sigma: number): number {
  return sigma > 0 ? Math.ceil(4 * sigma) : 0;
}

/** The 1-D Gaussian kernel for `sigma`, normalised to sum 1: `Float64Array [2r+1]`, r = {@link gaussianRadius}. */
export function gaussianKernel(sigma: number): Float64Array {
  const r = gaussianRadius(sigma);
  const kernel = new Float64Array(2 * r + 1);
  if (r === 0) {
    kernel[0] = 1;
    return kernel;
  }
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += kernel[i + r] = Math.exp(-0.5 * (i / sigma) ** 2);
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  return kernel;
}

/**
 * Separable Gaussian smoothing of an interleaved multi-channel image, with edge pixels repeated at the
 * borders. `pixels: [H, W, C]` row-major interleaved → `Float32Array [H, W, C]`.
 */
export function gaussianSmooth(pixels: ArrayLike<number>, width: number, height: number, channels: number, sigma: number): Float32Array {
  const kernel = gaussianKernel(sigma);
  const r = (kernel.length - 1) >> 1;
  const taps = kernel.length;
  const rowLength = width * channels;
  // Along x: each row is copied once with r repeated pixels at both ends, so the taps need no clamping.
  const padded = new Float64Array((width + 2 * r) * channels); // [W + 2r, C]
  const tmp = new Float32Array(width * height * channels); // [H, W, C], smoothed along x
  for (let y = 0; y < height; y++) {
    const row = y * rowLength;
    for (let x = -r; x < width + r; x++) {
      const src = row + (x < 0 ? 0 : x >= width ? width - 1 : x) * channels;
      const dst = (x + r) * channels;
      for (let c = 0; c < channels; c++) padded[dst + c] = pixels[src + c];
    }
    for (let j = 0; j < rowLength; j++) {
      let acc = 0;
      for (let i = 0; i < taps; i++) acc += kernel[i] * padded[j + i * channels];
      tmp[row + j] = acc;
    }
  }
  // Along y: whole rows are accumulated, the clamped row index computed once per tap.
  const out = new Float32Array(width * height * channels); // [H, W, C]
  const acc = new Float64Array(rowLength); // [W, C]
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let i = 0; i < taps; i++) {
      const yy = y + i - r < 0 ? 0 : y + i - r >= height ? height - 1 : y + i - r;
      const weight = kernel[i], src = yy * rowLength;
      for (let j = 0; j < rowLength; j++) acc[j] += weight * tmp[src + j];
    }
    out.set(acc, y * rowLength);
  }
  return out;
}

/** The edges of the 8-connected grid graph: endpoints and weights, one entry per edge. */
export interface GridGraph {
  /** First endpoint (pixel index y*W+x): `Int32Array [E]`. */
  from: Int32Array;
  /** Second endpoint: `Int32Array [E]`. */
  to: Int32Array;
  /** Euclidean colour distance between the endpoints, ≥ 0: `Float32Array [E]`. */
  weight: Float32Array;
}

/**
 * The 8-connected grid graph of an image: for each pixel in raster order, the edges to its right,
 * lower, lower-right and upper-right neighbours (when inside the image), weighted by the Euclidean
 * distance between the pixel values. `pixels: [H, W, C]` interleaved.
 */
export function gridGraph(pixels: ArrayLike<number>, width: number, height: number, channels: number): GridGraph {
  const maxEdges = 4 * width * height;
  const from = new Int32Array(maxEdges);
  const to = new Int32Array(maxEdges);
  const weight = new Float32Array(maxEdges);
  let e = 0;
  const add = (p: number, q: number) => {
    let d2 = 0;
    for (let c = 0; c < channels; c++) {
      const d = pixels[p * channels + c] - pixels[q * channels + c];
      d2 += d * d;
    }
    from[e] = p;
    to[e] = q;
    weight[e] = Math.sqrt(d2);
    e++;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (x + 1 < width) add(p, p + 1);
      if (y + 1 < height) add(p, p + width);
      if (x + 1 < width && y + 1 < height) add(p, p + width + 1);
      if (x + 1 < width && y > 0) add(p, p - width + 1);
    }
  }
  return { from: from.subarray(0, e), to: to.subarray(0, e), weight: weight.subarray(0, e) };
}

/**
 * Indices that sort non-negative float weights ascending, stable (equal weights keep their order):
 * an LSD radix sort on the IEEE-754 bit patterns, which order like the values for non-negative floats.
 * `weights: Float32Array [E]` (all ≥ 0 and finite) → `Uint32Array [E]`.
 */
export function sortIndicesByWeight(weights: Float32Array): Uint32Array {
  const n = weights.length;
  const keys = new Uint32Array(weights.buffer, weights.byteOffset, n);
  let order = new Uint32Array(n);
  let next = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const BITS = 11;
  const RADIX = 1 << BITS;
  const counts = new Uint32Array(RADIX);
  for (let shift = 0; shift < 32; shift += BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & (RADIX - 1)]++;
    let total = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[d];
      counts[d] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const idx = order[i];
      next[counts[(keys[idx] >>> shift) & (RADIX - 1)]++] = idx;
    }
    [order, next] = [next, order];
  }
  return order;
}

/**
 * The grid graph of a smoothed image with its edges stored in increasing weight (stable: equal weights
 * keep their raster order), so that the union–find passes read memory in order; what every k shares.
 */
export interface SortedGridGraph extends GridGraph {
  /** Number of pixels (nodes) H*W. */
  pixelCount: number;
}

/**
 * The first half of {@link felzenszwalb}, which does not depend on k: validates the image, smooths it
 * (Gaussian, `sigma` pixels), builds the 8-connected grid graph and sorts its edges. Selective search
 * segments each colour space with several k from one such graph.
 * `pixels: [H, W, C]` row-major interleaved finite values.
 */
export function sortedImageGraph(pixels: ArrayLike<number>, width: number, height: number, channels: number, sigma = 0.8): SortedGridGraph {
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new DetsegInputError(`image size must be positive integers, got ${width}×${height}`, { field: 'width/height' });
  }
  if (!(Number.isInteger(channels) && channels > 0)) throw new DetsegInputError(`must be a positive integer, got ${channels}`, { field: 'channels' });
  if (pixels.length !== width * height * channels) {
    throw new DetsegInputError(`expected ${width}×${height}×${channels} = ${width * height * channels} values, got ${pixels.length}`, { field: 'pixels' });
  }
  if (!(sigma >= 0 && Number.isFinite(sigma))) throw new DetsegInputError(`must be a finite number ≥ 0, got ${sigma}`, { field: 'sigma' });
  for (let i = 0; i < pixels.length; i++) {
    if (!Number.isFinite(pixels[i])) throw new DetsegInputError(`value ${i} (pixel ${Math.floor(i / channels)}) is not finite: ${pixels[i]}`, { field: 'pixels' });
  }
  const smoothed = sigma > 0 ? gaussianSmooth(pixels, width, height, channels, sigma) : Float32Array.from(pixels);
  const graph = gridGraph(smoothed, width, height, channels);
  const order = sortIndicesByWeight(graph.weight);
  const edges = order.length;
  const from = new Int32Array(edges), to = new Int32Array(edges), weight = new Float32Array(edges);
  for (let i = 0; i < edges; i++) {
    const e = order[i];
    from[i] = graph.from[e];
    to[i] = graph.to[e];
    weight[i] = graph.weight[e];
  }
  return { from, to, weight, pixelCount: width * height };
}

/**
 * The second half of {@link felzenszwalb}: the union–find pass with threshold k/|C| over the sorted
 * edges, then the pass merging components smaller than `minSize` pixels. Returns labels numbered in
 * raster order of each region's first pixel (`Int32Array [H*W]`).
 */
export function segmentGraph(graph: SortedGridGraph, k: number, minSize: number): Segmentation {
  if (!(k >= 0 && Number.isFinite(k))) throw new DetsegInputError(`must be a finite number ≥ 0, got ${k}`, { field: 'k' });
  if (!(minSize >= 0 && Number.isFinite(minSize))) throw new DetsegInputError(`must be a finite number ≥ 0, got ${minSize}`, { field: 'minSize' });
  const { from, to, weight } = graph;
  const n = graph.pixelCount;
  const edges = from.length;
  // Union–find with union by rank and path halving, on flat arrays (a class costs ~20% here).
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const rank = new Uint8Array(n);
  const size = new Int32Array(n).fill(1);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const union = (a: number, b: number): number => {
    if (rank[a] < rank[b]) [a, b] = [b, a];
    parent[b] = a;
    size[a] += size[b];
    if (rank[a] === rank[b]) rank[a]++;
    return a;
  };
  // threshold[root] = Int(C) + k/|C|; a single pixel has Int = 0.
  const threshold = new Float64Array(n).fill(k);
  for (let e = 0; e < edges; e++) {
    const a = find(from[e]);
    const b = find(to[e]);
    if (a === b) continue;
    const w = weight[e];
    if (w <= threshold[a] && w <= threshold[b]) {
      const root = union(a, b);
      threshold[root] = w + k / size[root];
    }
  }
  for (let e = 0; e < edges; e++) {
    const a = find(from[e]);
    const b = find(to[e]);
    if (a !== b && (size[a] < minSize || size[b] < minSize)) union(a, b);
  }
  const labels = new Int32Array(n);
  const labelOfRoot = new Int32Array(n).fill(-1);
  let count = 0;
  for (let p = 0; p < n; p++) {
    const root = find(p);
    if (labelOfRoot[root] < 0) labelOfRoot[root] = count++;
    labels[p] = labelOfRoot[root];
  }
  return { labels, count };
}

/**
 * Segments an image into regions with the Felzenszwalb–Huttenlocher algorithm
 * ({@link sortedImageGraph}, then {@link segmentGraph}).
 *
 * `pixels: [H, W, C]` row-major interleaved values (any finite numbers; selective search passes colour
 * channels on a 0–255 scale). Returns one label per pixel (`Int32Array [H*W]`) and the region count.
 * Throws {@link DetsegInputError} on a bad size, a pixel array of the wrong length, or a non-finite value.
 */
export function felzenszwalb(pixels: ArrayLike<number>, width: number, height: number, channels: number, options: FelzenszwalbOptions = {}): Segmentation {
  const k = options.k ?? 100;
  const minSize = options.minSize ?? 20;
  // check k and minSize before the expensive part
  if (!(k >= 0 && Number.isFinite(k))) throw new DetsegInputError(`must be a finite number ≥ 0, got ${k}`, { field: 'k' });
  if (!(minSize >= 0 && Number.isFinite(minSize))) throw new DetsegInputError(`must be a finite number ≥ 0, got ${minSize}`, { field: 'minSize' });
  return segmentGraph(sortedImageGraph(pixels, width, height, channels, options.sigma ?? 0.8), k, minSize);
}
