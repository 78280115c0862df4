import type { RgbImage } from '../data/images.js';
import { DetsegInputError } from '../util/errors.js';
import { selectiveSearch, type SelectiveSearchMode } from './selective-search.js';
import { countWindows, parseWindowSizes, slidingWindows } from './sliding-window.js';

/**
 * One entry point for class-agnostic proposals by either method of the lecture — selective search or
 * sliding windows — used by `detseg proposals` and `scripts/proposal-recall.ts`.
 */

/** The proposal methods, as named on the command line. */
export const PROPOSAL_METHODS = ['selective-search', 'sliding-window'] as const;
/** Proposal methods of {@link proposeBoxes}. */
export type ProposalMethod = (typeof PROPOSAL_METHODS)[number];
/** Default window sizes of the sliding-window method: three scales, aspect ratios 1:1, 2:1, 1:2. */
export const DEFAULT_WINDOW_SIZES = '64x64,128x128,256x256,128x64,64x128,256x128,128x256';
/** Sliding windows enumerated at most before subsampling (16 bytes each). */
const MAX_WINDOWS = 20_000_000;

/** Options of {@link proposeBoxes}. */
export interface ProposeOptions {
  method: ProposalMethod;
  /** Keep at most this many boxes. */
  top: number;
  /** Selective search: strategy set and ranking seed. */
  mode?: SelectiveSearchMode;
  seed?: number;
  /** Sliding windows: sizes `WIDTHxHEIGHT,...` in pixels, and stride in pixels. */
  sizes?: string;
  stride?: number;
  /** Selective search: largest image accepted, in pixels (see {@link SelectiveSearchOptions.maxPixels}). */
  maxPixels?: number;
}

/**
 * Proposals for an image by either method: `Float32Array [N, 4]` xyxy in pixels, N ≤ `top`, plus a
 * one-line description. Selective search returns its ranked boxes; sliding windows have no ranking, so
 * when there are more than `top` windows an evenly spaced subset of the scan (every (K/top)-th window,
 * all sizes mixed) is kept.
 */
export function proposeBoxes(img: RgbImage, opts: ProposeOptions): { boxes: Float32Array; detail: string } {
  if (opts.method === 'selective-search') {
    const r = selectiveSearch(img, { mode: opts.mode ?? 'fast', maxBoxes: opts.top, seed: opts.seed ?? 0, maxPixels: opts.maxPixels });
    return { boxes: r.boxes, detail: `${r.hierarchies} hierarchies, ${r.distinct} distinct boxes` };
  }
  const sizes = parseWindowSizes(opts.sizes ?? DEFAULT_WINDOW_SIZES);
  const stride = opts.stride ?? 32;
  const total = countWindows(img.width, img.height, sizes, stride);
  if (total > MAX_WINDOWS) throw new DetsegInputError(`${total} windows is more than the ${MAX_WINDOWS} enumerated at most; use a larger stride`, { field: '--stride' });
  const all = slidingWindows(img.width, img.height, sizes, stride);
  if (total <= opts.top) return { boxes: all, detail: `${total} windows, stride ${stride}` };
  const boxes = new Float32Array(4 * opts.top);
  for (let i = 0; i < opts.top; i++) {
    const j = Math.floor((i * total) / opts.top);
    boxes.set(all.subarray(4 * j, 4 * j + 4), 4 * i);
  }
  return { boxes, detail: `${total} windows, stride ${stride}, evenly subsampled` };
}
