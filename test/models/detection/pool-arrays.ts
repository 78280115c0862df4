import { mulberry32 } from '../../../src/util/random.js';

/** Random features `Float32Array [B, h, w, C]` in [−1, 1) and `count` random boxes per image inside (and around) a `size²` image. */
export function randomMapAndBoxes(seed: number, shape: [number, number, number, number], size: number, counts: number[]): { features: Float32Array; boxes: Float32Array[] } {
  const random = mulberry32(seed);
  const features = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * random() - 1);
  const boxes = counts.map((n) => Float32Array.from({ length: 4 * n }, (_, i) => (i % 4 < 2 ? -0.1 + random() * 0.9 : 0.3 + random() * 0.9) * size));
  return { features, boxes };
}
