import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeDirAtomic } from '../util/atomic.js';
import { mulberry32 } from '../util/random.js';
import { encodePanopticPng, panopticAnnotation } from './coco-panoptic.js';
import type { CocoPanopticJson, PanopticCategory, PanopticSegmentInfo } from './coco-panoptic-format.js';
import { encodePng } from './images.js';
import { checkReplaceableDir } from './output-dir.js';
import { appendSyntheticSample, emptySyntheticCoco, syntheticFileName } from './synthetic-coco.js';
import { SHAPE_CLASSES, imageSeed, syntheticSample, type SyntheticOptions, type SyntheticSample } from './synthetic.js';

/**
 * The synthetic-shapes benchmark with *stuff*: the background of each image is divided into regions of
 * 2–3 stuff classes, each with its own texture (sky: a smooth blue gradient; ground: grainy, blotchy
 * earth tones; wall: a brick pattern), and the shapes of {@link syntheticSample} are the *things*, drawn
 * over them exactly as in the detection benchmark (same shapes, masks and colours for the same seed).
 * Every pixel is labeled (no void). Image i is a pure function of (seed, i, options).
 *
 * Segment ids: a thing instance j has id category·1000 + j + 1, a stuff region category·1000.
 */

/** Stuff class names; their category ids follow the shapes' (4, 5, 6). */
export const STUFF_CLASSES = ['sky', 'ground', 'wall'] as const;

/** The panoptic categories: the shapes (things, ids 1..3) then {@link STUFF_CLASSES} (stuff, ids 4..6). */
export const SYNTHETIC_PANOPTIC_CATEGORIES: readonly PanopticCategory[] = [
  ...SHAPE_CLASSES.map((name, i) => ({ id: i + 1, name, isthing: 1 as const, supercategory: 'shape', color: ([[220, 20, 60], [0, 0, 142], [250, 170, 30]] as [number, number, number][])[i] })),
  ...STUFF_CLASSES.map((name, i) => ({ id: SHAPE_CLASSES.length + 1 + i, name, isthing: 0 as const, supercategory: 'background', color: ([[70, 130, 180], [110, 90, 50], [150, 100, 100]] as [number, number, number][])[i] })),
];

/** One panoptic sample: the detection sample (its `image` repainted with stuff) plus the panoptic maps. */
export interface SyntheticPanopticSample extends SyntheticSample {
  /** `Uint32Array [H, W]` segment ids (see the module comment). */
  ids: Uint32Array;
  /** The segments of `ids`: things in the order of `labels`, then the stuff regions present. */
  segments: PanopticSegmentInfo[];
  /** `Uint8Array [H, W]` category id per pixel (1..3 things, 4..6 stuff): the COCO semantic map. */
  categoryMap: Uint8Array;
}

/** HSV (h in [0, 1), s, v in [0, 1]) → RGB in 0..255 (unrounded). */
function hsv(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
  const [r, g, b] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][((i % 6) + 6) % 6];
  return [r * 255, g * 255, b * 255];
}

/** A stuff texture: the colour of pixel (x, y) written into `out` at `o`. */
type Texture = (x: number, y: number, out: Uint8ClampedArray, o: number) => void;

function skyTexture(random: () => number, size: number): Texture {
  const top = hsv(0.54 + 0.1 * random(), 0.35 + 0.3 * random(), 0.75 + 0.2 * random());
  const bottom = hsv(0.54 + 0.1 * random(), 0.1 + 0.2 * random(), 0.85 + 0.15 * random());
  return (_x, y, out, o) => {
    const t = y / size;
    const n = 3 * (random() - 0.5);
    for (let c = 0; c < 3; c++) out[o + c] = top[c] + (bottom[c] - top[c]) * t + n;
  };
}

function groundTexture(random: () => number, size: number): Texture {
  const base = hsv(0.06 + 0.22 * random(), 0.4 + 0.3 * random(), 0.3 + 0.25 * random());
  const f1 = (2 * Math.PI * (1 + 2 * random())) / size, f2 = (2 * Math.PI * (1 + 2 * random())) / size;
  const p1 = 2 * Math.PI * random(), p2 = 2 * Math.PI * random();
  return (x, y, out, o) => {
    const blotch = 18 * Math.sin(x * f1 + p1) * Math.sin(y * f2 + p2);
    const grain = 60 * (random() - 0.5);
    for (let c = 0; c < 3; c++) out[o + c] = base[c] + blotch + grain;
  };
}

function wallTexture(random: () => number): Texture {
  const brick = hsv(0.0 + 0.08 * random(), 0.35 + 0.3 * random(), 0.45 + 0.25 * random());
  const mortar = 150 + 60 * random();
  const h = 6 + Math.floor(5 * random());
  const w = 2 * h;
  const dx = Math.floor(w * random()), dy = Math.floor(h * random());
  return (x, y, out, o) => {
    const row = Math.floor((y + dy) / h);
    const inRow = (y + dy) % h;
    const inCol = (x + dx + (row % 2) * (w >> 1)) % w;
    const n = 10 * (random() - 0.5);
    if (inRow === 0 || inCol === 0) for (let c = 0; c < 3; c++) out[o + c] = mortar + n;
    else for (let c = 0; c < 3; c++) out[o + c] = brick[c] + n;
  };
}

/**
 * Generates panoptic image `index` of set `seed`: {@link syntheticSample}'s shapes over 2–3 stuff regions
 * (a wavy horizon splits the image; with three classes the upper part is split again by a slanted line;
 * the sky is never below the horizon).
 * The stuff layout and textures use their own random stream, so the shapes equal the detection
 * benchmark's for the same (seed, index, options).
 */
export function syntheticPanopticSample(seed: number, index: number, options: SyntheticOptions = {}): SyntheticPanopticSample {
  const base = syntheticSample(seed, index, options);
  const size = base.width;
  const random = mulberry32(imageSeed(seed ^ 0x5f3759df, index));
  // Stuff classes: a random order of the three; the first 2 or 3 are used.
  const order = [0, 1, 2];
  for (let i = 2; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  if (order[1] === 0) [order[0], order[1]] = [order[1], order[0]]; // the sky stays above the horizon
  const k = random() < 0.5 ? 2 : 3;
  const horizon = size * (0.3 + 0.4 * random());
  const amp = size * 0.08 * random();
  const freq = (2 * Math.PI * (0.5 + 1.5 * random())) / size;
  const phase = 2 * Math.PI * random();
  const split = size * (0.3 + 0.4 * random());
  const slant = 0.6 * (random() - 0.5);
  const textures = order.map((c) => (c === 0 ? skyTexture(random, size) : c === 1 ? groundTexture(random, size) : wallTexture(random)));
  const firstStuff = SHAPE_CLASSES.length + 1;

  const ids = new Uint32Array(size * size);
  const categoryMap = new Uint8Array(size * size);
  const image = new Uint8Array(base.image);
  const out = new Uint8ClampedArray(image.buffer);
  const thingId = new Uint32Array(base.labels.length);
  base.labels.forEach((label, j) => (thingId[j] = (label + 1) * 1000 + j + 1));
  const owner = new Int32Array(size * size).fill(-1);
  base.masks.forEach((m, j) => {
    for (let p = 0; p < m.length; p++) if (m[p]) owner[p] = j;
  });
  const stuffPresent = new Set<number>();
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = y * size + x;
      const j = owner[p];
      if (j >= 0) {
        ids[p] = thingId[j];
        categoryMap[p] = base.labels[j] + 1;
        continue;
      }
      // Region of the pixel centre: below the horizon → order[1]; above: order[0], or order[2] right of the split.
      const cx = x + 0.5, cy = y + 0.5;
      const below = cy > horizon + amp * Math.sin(cx * freq + phase);
      const slot = below ? 1 : k === 3 && cx > split + slant * (cy - horizon) ? 2 : 0;
      const cls = order[slot];
      const cat = firstStuff + cls;
      ids[p] = cat * 1000;
      categoryMap[p] = cat;
      stuffPresent.add(cat);
      textures[slot](x, y, out, 3 * p);
    }
  }
  const segments: PanopticSegmentInfo[] = [];
  base.labels.forEach((label, j) => segments.push({ id: thingId[j], category_id: label + 1, iscrowd: 0 }));
  for (const cat of [...stuffPresent].sort((a, b) => a - b)) segments.push({ id: cat * 1000, category_id: cat, iscrowd: 0 });
  return { ...base, image, ids, segments, categoryMap };
}

/** A single-channel 8-bit PNG of `data: Uint8Array [H, W]` (sharp would widen a 1-channel input to RGB without the colour space). */
async function encodeLabelPng(data: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer();
}

/** Entries an earlier `detseg synth --panoptic` leaves in its output folder. */
export const SYNTHETIC_PANOPTIC_ENTRIES = ['images', 'semantic', 'panoptic', 'annotations.json', 'panoptic.json'];

/**
 * Writes `count` synthetic panoptic images into `outDir` atomically: `images/` (RGB PNGs), `panoptic/`
 * (COCO panoptic PNGs, id = R + 256·G + 256²·B) with `panoptic.json` (COCO panoptic: images, annotations
 * with segments_info, categories with isthing), `semantic/` (8-bit grey PNGs of category ids, 0 = void,
 * as panopticapi's panoptic→semantic converter writes them) and `annotations.json` (COCO instances of
 * the things, as `detseg synth`). Images are made and written one at a time. An existing `outDir` is
 * replaced only when it holds nothing but an earlier set, or with `overwrite`.
 */
export async function writeSyntheticPanopticSet(outDir: string, count: number, seed: number, options: SyntheticOptions = {}, overwrite = false): Promise<{ panoptic: CocoPanopticJson; instances: ReturnType<typeof emptySyntheticCoco> }> {
  checkReplaceableDir(outDir, (name) => SYNTHETIC_PANOPTIC_ENTRIES.includes(name), overwrite);
  const instances = emptySyntheticCoco();
  const panoptic: CocoPanopticJson = { images: [], annotations: [], categories: SYNTHETIC_PANOPTIC_CATEGORIES.map((c) => ({ ...c })) };
  const known = new Set(SYNTHETIC_PANOPTIC_CATEGORIES.map((c) => c.id));
  await writeDirAtomic(outDir, async (tmp) => {
    for (const sub of ['images', 'semantic', 'panoptic']) mkdirSync(join(tmp, sub));
    for (let i = 0; i < count; i++) {
      const s = syntheticPanopticSample(seed, i, options);
      const name = syntheticFileName(i);
      const imageId = i + 1; // as in annotations.json
      writeFileSync(join(tmp, 'images', name), await encodePng({ data: s.image, width: s.width, height: s.height }));
      writeFileSync(join(tmp, 'semantic', name), await encodeLabelPng(s.categoryMap, s.width, s.height));
      writeFileSync(join(tmp, 'panoptic', name), await encodePanopticPng(s.ids, s.width, s.height));
      panoptic.images!.push({ id: imageId, width: s.width, height: s.height, file_name: name });
      panoptic.annotations.push(panopticAnnotation({ imageId, fileName: name, width: s.width, height: s.height, ids: s.ids, segments: s.segments }, known));
      appendSyntheticSample(instances, i, s);
    }
    writeFileSync(join(tmp, 'panoptic.json'), JSON.stringify(panoptic));
    writeFileSync(join(tmp, 'annotations.json'), JSON.stringify(instances));
  });
  return { panoptic, instances };
}
