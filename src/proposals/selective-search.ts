import type { RgbImage } from '../data/images.js';
import { DetsegInputError } from '../util/errors.js';
import { checkPixelLimit, DEFAULT_MAX_PIXELS } from '../util/limits.js';
import { mulberry32 } from '../util/random.js';
import { channelCount, convertColourSpace, type ColourSpace } from './colour-spaces.js';
import { segmentGraph, sortedImageGraph, type SortedGridGraph } from './felzenszwalb.js';
import {
  initialRegions,
  mergeRegions,
  regionSimilarity,
  SimilarityHeap,
  SimilarityScan,
  textureCodes,
  type RegionFeatures,
  type SimilaritySet,
  type SimilarityWeights,
} from './similarity.js';

/**
 * Selective search (Uijlings, van de Sande, Gevers, Smeulders, "Selective Search for Object
 * Recognition", IJCV 2013): class-agnostic object proposals from hierarchical grouping.
 *
 * For each strategy (colour space, Felzenszwalb k, similarity measures): segment the image into initial
 * regions (Felzenszwalb–Huttenlocher, sigma 0.8, minimum size k), then repeatedly merge the two most
 * similar neighbouring regions until one region covers the image. Every region of every hierarchy —
 * initial and merged — gives its bounding box as a proposal. Boxes are ranked with the paper's
 * pseudo-random ranking: in a hierarchy of R regions, region r (0 = the first initial region, R − 1 =
 * the last merged one, the whole image) has position R − r, so the whole image has position 1; its rank
 * value is position × U(0, 1), lower first.
 * All hierarchies are pooled, sorted by rank value, and exact duplicate boxes are removed (the first,
 * best-ranked copy stays).
 */

/** One diversification strategy: colour space, segmentation scale, and which similarities add up. */
export interface SelectiveSearchStrategy {
  colourSpace: ColourSpace;
  /** Felzenszwalb k (also the minimum region size in pixels, as in the paper). */
  k: number;
  similarity: SimilarityWeights;
}

/** Named sets of strategies: the paper's "fast" and "quality" (Table 5), and one strategy for quick runs. */
export type SelectiveSearchMode = 'single' | 'fast' | 'quality';

const CTSF: SimilarityWeights = { colour: true, texture: true, size: true, fill: true };
const TSF: SimilarityWeights = { colour: false, texture: true, size: true, fill: true };
const FILL: SimilarityWeights = { colour: false, texture: false, size: false, fill: true };
const SIZE: SimilarityWeights = { colour: false, texture: false, size: true, fill: false };

/**
 * The strategies of a mode (Uijlings et al. 2013, Table 5):
 * - `single`: HSV, k = 100, C+T+S+F (1 hierarchy);
 * - `fast`: HSV and Lab × k ∈ {50, 100} × {C+T+S+F, T+S+F} (8 hierarchies);
 * - `quality`: HSV, Lab, rgI, H, I × k ∈ {50, 100, 150, 300} × {C+T+S+F, T+S+F, F, S} (80 hierarchies).
 */
export function strategiesFor(mode: SelectiveSearchMode): SelectiveSearchStrategy[] {
  const combine = (spaces: ColourSpace[], ks: number[], sims: SimilarityWeights[]) =>
    spaces.flatMap((colourSpace) => ks.flatMap((k) => sims.map((similarity) => ({ colourSpace, k, similarity }))));
  switch (mode) {
    case 'single':
      return combine(['hsv'], [100], [CTSF]);
    case 'fast':
      return combine(['hsv', 'lab'], [50, 100], [CTSF, TSF]);
    case 'quality':
      return combine(['hsv', 'lab', 'rgi', 'h', 'i'], [50, 100, 150, 300], [CTSF, TSF, FILL, SIZE]);
    default:
      throw new DetsegInputError(`unknown selective search mode '${mode as string}' (expected single, fast or quality)`, { field: 'mode' });
  }
}

/** A grouping hierarchy: every region's box, in creation order (initial regions first, the whole image last). */
export interface Hierarchy {
  /** `Int32Array [R, 4]` xyxy, integer pixel corners (x2, y2 exclusive). */
  boxes: Int32Array;
  /** Number of regions R (2n−1 for n initial regions on a connected image). */
  count: number;
  /** Number of initial regions n. */
  initialCount: number;
  /** The pairs merged, in order, smaller index first: `Int32Array [R−n, 2]`; merge m created region n + m. */
  merges: Int32Array;
}

/**
 * Greedy hierarchical grouping (Uijlings et al. 2013, Algorithm 1): starting from the initial regions
 * of `features`, merges the most similar pair of neighbours, adds the union's similarities to its
 * neighbours, and repeats until no neighbouring pair is left. `labels: Int32Array [H*W]` gives region
 * adjacency (4-connected pixels). `queue` picks the similarity set: a heap (default) or a flat scan;
 * both merge in the same order. `features` is extended in place with the merged regions.
 */
export function hierarchicalGrouping(
  features: RegionFeatures,
  labels: Int32Array,
  width: number,
  height: number,
  weights: SimilarityWeights,
  queue: 'heap' | 'scan' = 'heap',
): Hierarchy {
  const n = features.count;
  const capacity = features.size.length;
  const imageArea = width * height;
  const neighbours: number[][] = Array.from({ length: capacity }, () => []);
  const seen = new Set<number>();
  const addPair = (p: number, q: number) => {
    const a = p < q ? p : q, b = p < q ? q : p;
    const key = a * capacity + b;
    if (seen.has(key)) return;
    seen.add(key);
    neighbours[a].push(b);
    neighbours[b].push(a);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const l = labels[y * width + x];
      if (x + 1 < width && labels[y * width + x + 1] !== l) addPair(l, labels[y * width + x + 1]);
      if (y + 1 < height && labels[(y + 1) * width + x] !== l) addPair(l, labels[(y + 1) * width + x]);
    }
  }
  const set: SimilaritySet = queue === 'scan' ? new SimilarityScan() : new SimilarityHeap(Math.max(16, 2 * seen.size));
  for (let a = 0; a < n; a++) {
    for (const b of neighbours[a]) if (a < b) set.push(regionSimilarity(features, a, b, weights, imageArea), a, b);
  }
  const alive = new Uint8Array(capacity);
  alive.fill(1, 0, n);
  const mark = new Int32Array(capacity).fill(-1);
  const merges: number[] = [];
  for (;;) {
    const pair = set.best(alive);
    if (!pair) break;
    const [i, j] = pair;
    const t = mergeRegions(features, i, j);
    merges.push(i, j);
    alive[i] = 0;
    alive[j] = 0;
    alive[t] = 1;
    const list = neighbours[t];
    for (const src of [neighbours[i], neighbours[j]]) {
      for (const nb of src) {
        if (!alive[nb] || mark[nb] === t) continue;
        mark[nb] = t;
        list.push(nb);
        neighbours[nb].push(t);
        set.push(regionSimilarity(features, nb, t, weights, imageArea), nb, t);
      }
    }
    neighbours[i] = neighbours[j] = [];
  }
  const count = features.count;
  return { boxes: features.boxes.slice(0, 4 * count), count, initialCount: n, merges: Int32Array.from(merges) };
}

/** Options of {@link selectiveSearch}. */
export interface SelectiveSearchOptions {
  /** Strategy set (default `fast`); ignored when `strategies` is given. */
  mode?: SelectiveSearchMode;
  /** Explicit strategies. */
  strategies?: SelectiveSearchStrategy[];
  /** Seed of the pseudo-random ranking (default 0): same seed, same ranked list. */
  seed?: number;
  /** Gaussian sigma of the initial segmentation (default 0.8, the paper's). */
  sigma?: number;
  /** At most this many boxes are returned, best-ranked first (default 2000). */
  maxBoxes?: number;
  /** Similarity-set implementation (default heap). */
  queue?: 'heap' | 'scan';
  /**
   * Largest image accepted, in pixels (default {@link DEFAULT_MAX_PIXELS}): memory grows with the
   * pixel count (about 250 bytes a pixel), so a huge image is refused instead of exhausting memory.
   */
  maxPixels?: number;
}

/** Result of {@link selectiveSearch}. */
export interface SelectiveSearchResult {
  /** Ranked proposals, best first, deduplicated: `Float32Array [N, 4]` xyxy in pixels, inside the image. */
  boxes: Float32Array;
  /** Hierarchies computed (one per strategy). */
  hierarchies: number;
  /** Boxes before deduplication and truncation (all regions of all hierarchies). */
  candidates: number;
  /** Distinct boxes before truncation to `maxBoxes`. */
  distinct: number;
}

function checkImage(image: RgbImage): void {
  const { width, height, data } = image;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new DetsegInputError(`image size must be positive integers, got ${width}×${height}`, { field: 'image' });
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new DetsegInputError(`expected ${width}×${height}×3 = ${width * height * 3} RGB bytes, got ${data?.length}`, { field: 'image.data' });
  }
}

/**
 * Selective search proposals for an RGB image. Returns at most `maxBoxes` ranked, distinct boxes
 * (`Float32Array [N, 4]` xyxy, pixel corners, 0 ≤ x1 < x2 ≤ W, 0 ≤ y1 < y2 ≤ H).
 */
export function selectiveSearch(image: RgbImage, options: SelectiveSearchOptions = {}): SelectiveSearchResult {
  checkImage(image);
  const { width, height } = image;
  checkPixelLimit(width, height, options.maxPixels ?? DEFAULT_MAX_PIXELS, { field: 'image' }, 'the maxPixels option');
  const strategies = options.strategies ?? strategiesFor(options.mode ?? 'fast');
  const sigma = options.sigma ?? 0.8;
  const maxBoxes = options.maxBoxes ?? 2000;
  if (!(Number.isInteger(maxBoxes) && maxBoxes >= 0)) throw new DetsegInputError(`must be an integer ≥ 0, got ${maxBoxes}`, { field: 'maxBoxes' });
  const random = mulberry32(options.seed ?? 0);

  // Per colour space: the converted image, its sorted grid graph and texture codes. Per (space, k): the
  // segmentation and its initial region features (with the histograms any strategy on it needs), which
  // each strategy then copies, since grouping appends to them.
  const key = (s: SelectiveSearchStrategy) => `${s.colourSpace}/${s.k}`;
  const needs = (k: string, feature: 'colour' | 'texture') => strategies.some((t) => key(t) === k && t.similarity[feature]);
  const spaceCache = new Map<ColourSpace, { values: Float32Array; graph: SortedGridGraph; codes?: Uint8Array }>();
  const segCache = new Map<string, { labels: Int32Array; features: RegionFeatures }>();
  const hierarchies: Hierarchy[] = [];
  for (const s of strategies) {
    const channels = channelCount(s.colourSpace);
    const segKey = key(s);
    let seg = segCache.get(segKey);
    if (!seg) {
      let space = spaceCache.get(s.colourSpace);
      if (!space) {
        const values = convertColourSpace(image.data, s.colourSpace);
        spaceCache.set(s.colourSpace, (space = { values, graph: sortedImageGraph(values, width, height, channels, sigma) }));
      }
      const texture = needs(segKey, 'texture');
      if (texture && !space.codes) space.codes = textureCodes(space.values, width, height, channels);
      const { labels, count } = segmentGraph(space.graph, s.k, s.k);
      const features = initialRegions(labels, count, width, height, channels, needs(segKey, 'colour') ? space.values : undefined, texture ? space.codes : undefined);
      segCache.set(segKey, (seg = { labels, features }));
    }
    hierarchies.push(hierarchicalGrouping(seg.features.clone(), seg.labels, width, height, s.similarity, options.queue));
  }

  let candidates = 0;
  for (const h of hierarchies) candidates += h.count;
  const rankValue = new Float64Array(candidates);
  const allBoxes = new Int32Array(candidates * 4); // [candidates, 4]
  let c = 0;
  for (const h of hierarchies) {
    for (let r = 0; r < h.count; r++, c++) {
      rankValue[c] = (h.count - r) * random();
      allBoxes.set(h.boxes.subarray(4 * r, 4 * r + 4), 4 * c);
    }
  }
  const order = Array.from({ length: candidates }, (_, i) => i).sort((a, b) => rankValue[a] - rankValue[b] || a - b);
  const kept = new Set<number>();
  const out: number[] = [];
  for (const i of order) {
    const x1 = allBoxes[4 * i], y1 = allBoxes[4 * i + 1], x2 = allBoxes[4 * i + 2], y2 = allBoxes[4 * i + 3];
    const boxKey = ((x1 * (height + 1) + y1) * (width + 1) + x2) * (height + 1) + y2;
    if (kept.has(boxKey)) continue;
    kept.add(boxKey);
    if (out.length < 4 * maxBoxes) out.push(x1, y1, x2, y2);
  }
  return { boxes: Float32Array.from(out), hierarchies: hierarchies.length, candidates, distinct: kept.size };
}
