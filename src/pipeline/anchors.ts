import type { DetectionData } from './dataset.js';

/**
 * Anchor sizes from the training set's box statistics: the 10th, 50th and 90th percentiles of the
 * objects' √(w·h) after letterboxing to `imgsz`, each rounded to a power of √2 (at least 4 px) and made
 * distinct. The region proposal network then covers the sizes the data has, instead of the defaults
 * tuned for the synthetic shapes (16, 32, 64 px in 128² images).
 */
export function anchorSizesFromData(data: DetectionData, imgsz: number): number[] {
  const sides: number[] = [];
  for (const im of data.dataset.images) {
    const scale = imgsz / Math.max(im.width, im.height);
    for (let j = 0; j < im.labels.length; j++) {
      if (im.iscrowd[j]) continue;
      const w = (im.boxes[4 * j + 2] - im.boxes[4 * j]) * scale, h = (im.boxes[4 * j + 3] - im.boxes[4 * j + 1]) * scale;
      if (w > 0 && h > 0) sides.push(Math.sqrt(w * h));
    }
  }
  if (sides.length === 0) return [16, 32, 64];
  sides.sort((a, b) => a - b);
  const quantile = (q: number) => sides[Math.min(sides.length - 1, Math.floor(q * sides.length))];
  const snap = (v: number) => Math.max(4, Math.round(2 ** (Math.round(2 * Math.log2(v)) / 2)));
  const sizes = [...new Set([0.1, 0.5, 0.9].map((q) => snap(quantile(q))))];
  while (sizes.length < 3) sizes.push(Math.round(sizes[sizes.length - 1] * Math.SQRT2 * Math.SQRT2));
  return sizes;
}
