import { mulberry32 } from '../util/random.js';

/**
 * The synthetic-shapes benchmark, the default training data of the practical: RGB images of 1–8
 * coloured shapes (circles, squares, triangles) of varied size, colour and rotation on a textured
 * background (noise, gradients, stripes), with exact annotations. Later shapes are drawn over earlier
 * ones; each instance mask is the VISIBLE part of its shape, its box the visible extent, and shapes left
 * nearly invisible by occlusion are removed before drawing (so no unannotated fragment remains).
 *
 * Every image is a pure function of (seed, index, options): image i can be made alone, in any order
 * (the loader decodes lazily), and the same seed gives the same bytes on every machine.
 *
 * Geometry: a pixel (x, y) belongs to a shape when its centre (x + 0.5, y + 0.5) lies inside it.
 * Boxes are in continuous pixel coordinates: a mask spanning columns 3..7 has x1 = 3, x2 = 8.
 */

/** Class names of the shapes; `labels` index into this list (0-based; the semantic mask adds 1). */
export const SHAPE_CLASSES = ['circle', 'square', 'triangle'] as const;

/** Options of the generator. */
export interface SyntheticOptions {
  /** Image width and height in px (default 128). */
  size?: number;
  /** Objects per image before occlusion removal: uniform in [minObjects, maxObjects] (default 1..8). */
  minObjects?: number;
  maxObjects?: number;
  /** Probability that a shape is small (side or diameter 8..24 px, area < 32²); default 0.35. */
  smallFraction?: number;
  /** A shape is removed when less than this fraction of it stays visible (default 0.3). */
  minVisibleFraction?: number;
  /** ... or fewer than this many pixels stay visible (default 16). */
  minVisiblePixels?: number;
}

/** One generated image and its annotations. */
export interface SyntheticSample {
  width: number;
  height: number;
  /** `Uint8Array [H, W, 3]` RGB. */
  image: Uint8Array;
  /** `Float32Array [N,4]` xyxy px: the extent of each visible mask. */
  boxes: Float32Array;
  /** `Int32Array [N]` index into {@link SHAPE_CLASSES}. */
  labels: Int32Array;
  /** N instance masks, each `Uint8Array [H, W]` row-major, 1 on the visible pixels of the shape. */
  masks: Uint8Array[];
  /** `Uint8Array [H, W]`: 0 background, 1 + class index where a shape is visible. */
  semantic: Uint8Array;
}

/** A shape before rasterization: class, centre (px), radius (px, circumscribed), rotation (rad). */
interface Shape {
  label: number;
  cx: number;
  cy: number;
  radius: number;
  angle: number;
  rgb: [number, number, number];
}

/** The seed of image `index` of a set generated with `seed` (a 32-bit hash, so neighbours differ). */
export function imageSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** HSV (h in [0, 1), s, v in [0, 1]) → RGB bytes. */
function hsv(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
  const [r, g, b] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][i % 6];
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

/**
 * Paints the textured background into `image [H, W, 3]`: a base colour, a linear gradient, optional
 * stripes (sinusoidal, any orientation) and per-pixel noise. Returns the mean colour.
 */
function paintBackground(image: Uint8Array, size: number, random: () => number): [number, number, number] {
  const base = hsv(random(), 0.2 + 0.4 * random(), 0.25 + 0.5 * random());
  const gradAngle = random() * 2 * Math.PI;
  const gradAmp = 60 * random(); // ± half of this across the image
  const gx = (Math.cos(gradAngle) * gradAmp) / size, gy = (Math.sin(gradAngle) * gradAmp) / size;
  const stripes = random() < 0.5;
  const stripeAngle = random() * Math.PI;
  const period = 6 + 20 * random();
  const stripeAmp = stripes ? 15 + 25 * random() : 0;
  const sx = (Math.cos(stripeAngle) * 2 * Math.PI) / period, sy = (Math.sin(stripeAngle) * 2 * Math.PI) / period;
  const noiseAmp = 8 + 24 * random();
  const half = size / 2;
  // sin(x·sx + y·sy) = sin(x·sx)·cos(y·sy) + cos(x·sx)·sin(y·sy): per-column and per-row tables.
  const sinX = new Float64Array(size), cosX = new Float64Array(size);
  for (let x = 0; x < size; x++) {
    sinX[x] = stripeAmp * Math.sin(x * sx);
    cosX[x] = stripeAmp * Math.cos(x * sx);
  }
  const out = new Uint8ClampedArray(image.buffer, image.byteOffset, image.length); // clamps and rounds
  let o = 0;
  for (let y = 0; y < size; y++) {
    const cy = Math.cos(y * sy), sny = Math.sin(y * sy);
    const rowShade = (y - half) * gy;
    for (let x = 0; x < size; x++) {
      const shade = (x - half) * gx + rowShade + sinX[x] * cy + cosX[x] * sny + noiseAmp * (random() - 0.5);
      out[o] = base[0] + shade;
      out[o + 1] = base[1] + shade;
      out[o + 2] = base[2] + shade;
      o += 3;
    }
  }
  return base;
}

/** Whether the point (px, py) lies inside `s` (circle, square of circumradius r, or triangle). */
function inside(s: Shape, px: number, py: number, cos: number, sin: number): boolean {
  const dx = px - s.cx, dy = py - s.cy;
  if (s.label === 0) return dx * dx + dy * dy <= s.radius * s.radius;
  // Rotate into the shape's frame.
  const u = dx * cos + dy * sin;
  const v = -dx * sin + dy * cos;
  if (s.label === 1) {
    const half = s.radius * Math.SQRT1_2;
    return Math.abs(u) <= half && Math.abs(v) <= half;
  }
  // Equilateral triangle with circumradius r, apex at angle −90° (up) in its frame: inside when on the
  // inner side of the three edges (each at distance r/2 from the centre, normals at 90°, 210°, 330°).
  const r2 = s.radius / 2;
  return v <= r2 && -0.8660254037844386 * u - 0.5 * v <= r2 && 0.8660254037844386 * u - 0.5 * v <= r2;
}

/**
 * Rasterizes `shapes` in order into `owner [H, W]` (index of the topmost shape per pixel, −1 for none)
 * and returns each shape's full (unoccluded) pixel count.
 */
function rasterize(shapes: Shape[], size: number, owner: Int16Array): Int32Array {
  owner.fill(-1);
  const full = new Int32Array(shapes.length);
  shapes.forEach((s, i) => {
    const cos = Math.cos(s.angle), sin = Math.sin(s.angle);
    const x0 = Math.max(0, Math.floor(s.cx - s.radius)), x1 = Math.min(size - 1, Math.ceil(s.cx + s.radius));
    const y0 = Math.max(0, Math.floor(s.cy - s.radius)), y1 = Math.min(size - 1, Math.ceil(s.cy + s.radius));
    let count = 0;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if (inside(s, x + 0.5, y + 0.5, cos, sin)) {
          owner[y * size + x] = i;
          count++;
        }
      }
    }
    full[i] = count;
  });
  return full;
}

/** Draws a random shape, its colour far enough (≥ 100 in RGB distance) from the background colour. */
function randomShape(random: () => number, size: number, smallFraction: number, background: [number, number, number]): Shape {
  const label = Math.floor(random() * SHAPE_CLASSES.length);
  // Extent (diameter / side / triangle width) in px: small 8..24, large 32..0.6·size.
  const small = random() < smallFraction;
  const extent = small ? 8 + 16 * random() : 32 + (Math.max(0.6 * size, 40) - 32) * random();
  // Circumradius giving that extent: circle d = 2r, square side = r√2, triangle side = r√3.
  const radius = label === 0 ? extent / 2 : label === 1 ? extent / Math.SQRT2 : extent / Math.sqrt(3);
  const margin = Math.min(radius, size / 2);
  const cx = margin + (size - 2 * margin) * random();
  const cy = margin + (size - 2 * margin) * random();
  let rgb: [number, number, number] = [0, 0, 0];
  for (let tries = 0; tries < 20; tries++) {
    rgb = hsv(random(), 0.5 + 0.5 * random(), 0.45 + 0.55 * random());
    const d = Math.hypot(rgb[0] - background[0], rgb[1] - background[1], rgb[2] - background[2]);
    if (d >= 100) break;
  }
  return { label, cx, cy, radius, angle: random() * 2 * Math.PI, rgb };
}

/**
 * Generates image `index` of the synthetic set `seed` (see the module comment). Deterministic: the same
 * (seed, index, options) give the same sample, bit for bit.
 */
export function syntheticSample(seed: number, index: number, options: SyntheticOptions = {}): SyntheticSample {
  const size = options.size ?? 128;
  const minObjects = options.minObjects ?? 1;
  const maxObjects = options.maxObjects ?? 8;
  const minFraction = options.minVisibleFraction ?? 0.3;
  const minPixels = options.minVisiblePixels ?? 16;
  const random = mulberry32(imageSeed(seed, index));
  const image = new Uint8Array(size * size * 3);
  const background = paintBackground(image, size, random);
  const count = minObjects + Math.floor(random() * (maxObjects - minObjects + 1));
  let shapes: Shape[] = [];
  for (let i = 0; i < count; i++) shapes.push(randomShape(random, size, options.smallFraction ?? 0.35, background));
  const owner = new Int16Array(size * size);
  // Remove nearly invisible shapes until every remaining one is visible enough (removing one can only
  // uncover others, so this ends). Should all fail, the topmost shape (never occluded) is kept alone.
  for (;;) {
    const full = rasterize(shapes, size, owner);
    const visible = new Int32Array(shapes.length);
    for (let p = 0; p < owner.length; p++) if (owner[p] >= 0) visible[owner[p]]++;
    const keep = shapes.filter((_, i) => visible[i] >= minPixels && visible[i] >= minFraction * full[i]);
    if (keep.length === shapes.length) break;
    if (keep.length === 0) {
      shapes = shapes.slice(-1);
      rasterize(shapes, size, owner);
      break;
    }
    shapes = keep;
  }
  // Paint the shapes (flat colour with slight noise) and build masks, boxes and the semantic map.
  const n = shapes.length;
  const masks = shapes.map(() => new Uint8Array(size * size));
  const semantic = new Uint8Array(size * size);
  const boxes = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    boxes[4 * i] = size;
    boxes[4 * i + 1] = size;
  }
  const clamped = new Uint8ClampedArray(image.buffer); // clamps and rounds
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = y * size + x;
      const i = owner[p];
      if (i < 0) continue;
      const s = shapes[i];
      const jitter = 12 * (random() - 0.5);
      clamped[3 * p] = s.rgb[0] + jitter;
      clamped[3 * p + 1] = s.rgb[1] + jitter;
      clamped[3 * p + 2] = s.rgb[2] + jitter;
      masks[i][p] = 1;
      semantic[p] = s.label + 1;
      if (x < boxes[4 * i]) boxes[4 * i] = x;
      if (y < boxes[4 * i + 1]) boxes[4 * i + 1] = y;
      if (x + 1 > boxes[4 * i + 2]) boxes[4 * i + 2] = x + 1;
      if (y + 1 > boxes[4 * i + 3]) boxes[4 * i + 3] = y + 1;
    }
  }
  return { width: size, height: size, image, boxes, labels: Int32Array.from(shapes, (s) => s.label), masks, semantic };
}
