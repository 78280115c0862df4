import { mulberry32 } from '../util/random.js';

/** Options of {@link randomBoxes}. All lengths in pixels. */
export interface RandomBoxesOptions {
  /** Range of the top-left corner, x1 and y1 uniform in [0, extent) (default 1000). */
  extent?: number;
  /** Smallest width/height (default 10). */
  minSize?: number;
  /** Largest width/height, exclusive (default 110). */
  maxSize?: number;
}

/**
 * Seeded random boxes: x1, y1 uniform in [0, extent), w, h uniform in [minSize, maxSize) — by default
 * the benchmark setting of torchvision-style NMS timings (x1, y1 in [0, 1000), w, h in [10, 110)).
 * Returns `Float32Array [N,4] xyxy`. Used by tests, benchmarks and report figures.
 */
export function randomBoxes(n: number, seed: number, options: RandomBoxesOptions = {}): Float32Array {
  const extent = options.extent ?? 1000;
  const minSize = options.minSize ?? 10;
  const maxSize = options.maxSize ?? 110;
  const random = mulberry32(seed);
  const boxes = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const x = random() * extent, y = random() * extent;
    const w = minSize + random() * (maxSize - minSize), h = minSize + random() * (maxSize - minSize);
    boxes[4 * i] = x; boxes[4 * i + 1] = y; boxes[4 * i + 2] = x + w; boxes[4 * i + 3] = y + h;
  }
  return boxes;
}

/** Seeded uniform scores in [0, 1): `Float32Array [N]`. Pass `levels` > 0 to draw from that many distinct values (forces ties). */
export function randomScores(n: number, seed: number, levels = 0): Float32Array {
  const random = mulberry32(seed);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) scores[i] = levels > 0 ? Math.floor(random() * levels) / levels : random();
  return scores;
}
