import sharp from 'sharp';
import type { RgbImage } from '../data/images.js';
import type { Detections } from '../models/detection/types.js';
import { colour, rect, rgbOf, svgDoc, text } from '../viz/svg.js';

/**
 * Annotated images, as detection users expect to look at them: each detection's mask as a translucent
 * fill in its class colour, its box, and a label "class score" above it.
 */

/** `image` with `d` drawn on it (boxes in its pixels, masks `[H, W]`), encoded as PNG. */
export async function annotateImage(image: RgbImage, d: Detections, classes: readonly string[]): Promise<Buffer> {
  const { width, height } = image;
  const pixels = Buffer.from(image.data);
  if (d.masks) {
    d.masks.forEach((m, j) => {
      const [r, g, b] = rgbOf(colour(d.labels[j] - 1));
      for (let p = 0; p < width * height; p++) {
        if (!m[p]) continue;
        pixels[3 * p] = (pixels[3 * p] + r) >> 1;
        pixels[3 * p + 1] = (pixels[3 * p + 1] + g) >> 1;
        pixels[3 * p + 2] = (pixels[3 * p + 2] + b) >> 1;
      }
    });
  }
  const size = Math.max(10, Math.round(Math.min(width, height) / 32));
  const stroke = Math.max(1, Math.round(size / 6));
  const parts: string[] = [];
  for (let j = 0; j < d.labels.length; j++) {
    const [x1, y1, x2, y2] = d.boxes.subarray(4 * j, 4 * j + 4);
    const c = colour(d.labels[j] - 1);
    const label = `${classes[d.labels[j] - 1] ?? `class ${d.labels[j]}`} ${d.scores[j].toFixed(2)}`;
    const ty = y1 - size - 2 >= 0 ? y1 - size - 2 : y1;
    parts.push(rect(x1, y1, x2, y2, { fill: 'none', stroke: c, 'stroke-width': stroke }));
    parts.push(rect(x1, ty, x1 + 0.6 * size * label.length, ty + size + 2, { fill: c }));
    parts.push(text(x1 + 1, ty + size - 1, label, { 'font-size': size, 'font-family': 'sans-serif', fill: '#ffffff' }));
  }
  const overlay = Buffer.from(svgDoc(width, height, parts));
  return sharp(pixels, { raw: { width, height, channels: 3 } }).composite([{ input: overlay, top: 0, left: 0 }]).png().toBuffer();
}
