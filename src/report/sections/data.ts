import { boxIou } from '../../boxes/iou.js';
import { augmentSample, type AugmentSample } from '../../data/augment.js';
import { encodePng } from '../../data/images.js';
import { syntheticSource } from '../../data/loader.js';
import { SHAPE_CLASSES, syntheticSample } from '../../data/synthetic.js';
import { mulberry32 } from '../../util/random.js';
import { htmlTable } from '../../viz/plot.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';
import { colour, group, image, rect, svgDoc, text } from '../../viz/svg.js';

/** Seed of the examples and statistics shown in the report (the practical's training set uses it too). */
export const DATA_SECTION_SEED = 2024;

/** Statistics of `count` synthetic images of `size` px (COCO area ranges on the visible box). */
export interface SyntheticStats {
  images: number;
  objects: number;
  minPerImage: number;
  maxPerImage: number;
  perClass: number[];
  /** Boxes with area < 32², 32²..96², > 96² px². */
  small: number;
  medium: number;
  large: number;
  /** Pairs of boxes in one image with IoU > 0.1 (overlap, occlusion). */
  overlappingPairs: number;
  /** Generation time per image in ms (this run; see `npm run bench` for medians). */
  msPerImage: number;
}

/** Generates `count` images (seed {@link DATA_SECTION_SEED}) and counts what they hold. */
export function syntheticStats(count: number, size: number): SyntheticStats {
  const s: SyntheticStats = { images: count, objects: 0, minPerImage: Infinity, maxPerImage: 0, perClass: SHAPE_CLASSES.map(() => 0), small: 0, medium: 0, large: 0, overlappingPairs: 0, msPerImage: 0 };
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const x = syntheticSample(DATA_SECTION_SEED, i, { size });
    const n = x.labels.length;
    s.objects += n;
    s.minPerImage = Math.min(s.minPerImage, n);
    s.maxPerImage = Math.max(s.maxPerImage, n);
    for (let j = 0; j < n; j++) {
      s.perClass[x.labels[j]]++;
      const area = (x.boxes[4 * j + 2] - x.boxes[4 * j]) * (x.boxes[4 * j + 3] - x.boxes[4 * j + 1]);
      if (area < 32 * 32) s.small++;
      else if (area <= 96 * 96) s.medium++;
      else s.large++;
    }
    const iou = boxIou(x.boxes, x.boxes, { trusted: true }); // [N, N]
    for (let j = 0; j < n; j++) for (let k = j + 1; k < n; k++) if (iou[j * n + k] > 0.1) s.overlappingPairs++;
  }
  s.msPerImage = (performance.now() - t0) / count;
  return s;
}

/** RGB image `[H, W, 3]` of a semantic map: background dark grey, class c in the report's colour c. */
function semanticRgb(semantic: Uint8Array): Uint8Array {
  const out = new Uint8Array(semantic.length * 3);
  const rgb = [[40, 40, 40], ...SHAPE_CLASSES.map((_, c) => colour(c).match(/[0-9A-F]{2}/gi)!.map((h) => parseInt(h, 16)))];
  for (let p = 0; p < semantic.length; p++) out.set(rgb[semantic[p]], 3 * p);
  return out;
}

async function pngDataUrl(data: Uint8Array, width: number, height: number): Promise<string> {
  return `data:image/png;base64,${(await encodePng({ data, width, height })).toString('base64')}`;
}

/** One panel: the image scaled by `scale`, its boxes in class colours with the class name. */
async function panel(sample: AugmentSample, scale: number, title: string): Promise<string> {
  const { width: w, height: h } = sample.image;
  const parts = [image(await pngDataUrl(sample.image.data, w, h), 0, 16, w * scale, h * scale), text(0, 11, title)];
  for (let j = 0; j < sample.labels.length; j++) {
    const b = sample.boxes.subarray(4 * j, 4 * j + 4);
    const c = colour(sample.labels[j]);
    parts.push(rect(b[0] * scale, 16 + b[1] * scale, b[2] * scale, 16 + b[3] * scale, { stroke: c, 'stroke-width': 2 }));
    parts.push(text(b[0] * scale + 2, 16 + b[1] * scale + 11, SHAPE_CLASSES[sample.labels[j]], { fill: c, 'font-size': 10, stroke: '#fff', 'stroke-width': 0.4 }));
  }
  return parts.join('');
}

/**
 * `data` section: examples of the synthetic-shapes benchmark (images with boxes, semantic masks), an
 * augmentation example (flip, scale jitter, crop moving boxes with the pixels), and statistics of the
 * set as generated in this run.
 */
export async function dataSection(ctx: ReportContext): Promise<ReportSection> {
  const size = 128, scale = 1.5, cell = size * scale + 12;
  const source = syntheticSource(6, DATA_SECTION_SEED, { size });
  const examples: string[] = [];
  for (let i = 0; i < 6; i++) {
    const s = await source.get(i, 0);
    examples.push(group([await panel(s, scale, `image ${i}: ${s.labels.length} objects`)], `translate(${6 + i * cell} 4)`));
    examples.push(group([image(await pngDataUrl(semanticRgb(s.semantic!), size, size), 0, 0, size * scale, size * scale)], `translate(${6 + i * cell} ${size * scale + 26})`));
  }
  const examplesSvg = ctx.figure('data-synthetic.svg', svgDoc(6 * cell + 6, 2 * size * scale + 34, examples));

  const original = await source.get(1, 0);
  const random = mulberry32(DATA_SECTION_SEED);
  const augmented = [0, 1, 2].map(() => augmentSample(original, random, { cropWidth: 112, cropHeight: 112, scaleRange: [0.8, 1.3] }));
  const augParts = [group([await panel(original, scale, 'original')], 'translate(6 4)')];
  for (const [k, a] of augmented.entries()) augParts.push(group([await panel(a, scale, `augmented ${k + 1}: ${a.image.width}×${a.image.height}`)], `translate(${6 + (k + 1) * cell} 4)`));
  const augSvg = ctx.figure('data-augment.svg', svgDoc(4 * cell + 6, size * scale + 24, augParts));

  const count = ctx.options.quick ? 100 : 1000;
  const st = syntheticStats(count, size);
  ctx.options.log(`data: ${count} synthetic images, ${st.msPerImage.toFixed(2)} ms each`);
  const table = htmlTable(
    ['images', 'objects', 'per image (min–max)', ...SHAPE_CLASSES, 'small < 32²', 'medium', 'large > 96²', 'pairs IoU > 0.1', 'ms per image'],
    [[st.images, st.objects, `${(st.objects / st.images).toFixed(2)} (${st.minPerImage}–${st.maxPerImage})`, ...st.perClass, st.small, st.medium, st.large, st.overlappingPairs, st.msPerImage]],
    2,
  );
  const html = [
    `<p>The default training data of the practical is generated, not downloaded: image <i>i</i> of seed <i>s</i> is a pure function of (<i>s</i>, <i>i</i>) (<code>src/data/synthetic.ts</code>), so any image can be made on demand by the loader and the same seed gives the same bytes everywhere. Each image holds 1–8 circles, squares and triangles of any colour, rotation and size (small shapes under 32² px, large ones up to 60% of the side) on a background of noise, gradients and stripes. Later shapes are drawn over earlier ones: instance masks and boxes are the <em>visible</em> part, and shapes left nearly invisible are removed before drawing.</p>`,
    figureHtml(examplesSvg, `Six images of seed ${DATA_SECTION_SEED} (${size}×${size}) with their boxes (colour = class), and below each its semantic mask (grey = background).`),
    figureHtml(augSvg, 'Augmentation (src/data/augment.ts): random flip, scale jitter 0.8–1.3 and a 112×112 random crop move the boxes with the pixels; boxes cut under 2 px or 25% of their area are dropped.'),
    `<p>Statistics of ${count} images of ${size}×${size} px (COCO area ranges on the visible boxes; the time is this run's, not a benchmark median):</p>`,
    table,
    `<p class="note">Write the set to disk with <code>detseg synth --out DIR --count N --seed S --size ${size}</code> (PNGs, semantic PNGs, COCO JSON with RLE masks); convert annotations between COCO, Pascal VOC, YOLO and KITTI with <code>detseg convert</code>.</p>`,
  ].join('\n');
  return { id: 'data', title: 'Data: the synthetic-shapes benchmark', html };
}
