import { existsSync, readFileSync } from 'node:fs';
import { encodePng } from '../../data/images.js';
import { resizeBilinear } from '../../data/resize.js';
import { SYNTHETIC_PANOPTIC_CATEGORIES, syntheticPanopticSample, type SyntheticPanopticSample } from '../../data/synthetic-panoptic.js';
import { SHAPE_CLASSES } from '../../data/synthetic.js';
import { initEngine } from '../../engine/setup.js';
import type { PanopticResult } from '../../eval/panoptic.js';
import { imagesToTensor } from '../../models/detection/images-tensor.js';
import type { Detections } from '../../models/detection/types.js';
import { loadFasterRcnn } from '../../models/faster-rcnn/checkpoint.js';
import { DEFAULT_PANOPTIC_RECIPE } from '../../models/panoptic/data.js';
import { shippedPanopticMaskRcnnPath } from '../../models/panoptic/instances.js';
import { evaluatePanopticModel, PanopticModel, type PanopticOutput } from '../../models/panoptic/panoptic-model.js';
import { shippedSemanticHeadPath } from '../../models/panoptic/semantic-head.js';
import { detectorCheckpoint } from '../../pipeline/shipped-chain.js';
import { loadDetector } from '../../pipeline/weights.js';
import { assetsDir } from '../../util/paths.js';
import { htmlTable } from '../../viz/plot.js';
import { colour, image, rect, svgDoc, text } from '../../viz/svg.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';
import { blendMasks } from './detectors.js';

/**
 * The lecture's ladder of tasks on one held-out panoptic image, one model of detseg per rung:
 * classification + localization (the `classloc` model on a crop around one object), object detection
 * (Faster R-CNN), semantic segmentation (the panoptic model's semantic head), instance segmentation
 * (its Mask R-CNN) and panoptic segmentation (the two fused); then PQ / SQ / RQ and the semantic head's mIoU.
 */

/** Held-out images scored live (full / quick); the shipped models' 200-image scores come from `assets/panoptic/scores.json`. */
export const PANOPTIC_SECTION_IMAGES = { full: 24, quick: 4 };
/** Detections below this score are not drawn (the fusion's own threshold is the panoptic model's). */
const DRAW_SCORE = 0.5;
/** Figure pixels per image pixel. */
const SCALE = 2;
/** Instance colours (bright, to stand out from the shapes' own colours). */
const INSTANCE_COLOURS = ['#FFFF00', '#00FFFF', '#FF8000', '#FFFFFF', '#80FF00', '#FF00FF', '#0080FF', '#FF0000'];
/** A crop around the object is this many times its larger side (clamped to the image), then resized to the classloc input. */
const CROP_FACTOR = 1.3;

/** The held-out scores written by `scripts/train-panoptic.ts evaluate`. */
interface StoredScores {
  command: string;
  images: number;
  pq: PanopticResult;
  meanIou: number;
  pixelAccuracy: number;
}

/**
 * The image of the picture: the first held-out panoptic image (seed 2) with at least 3 things and all
 * 3 stuff classes, among the first 50 (else image 0). Chosen from the ground truth only.
 */
export function pictureImageIndex(size = DEFAULT_PANOPTIC_RECIPE.imageSize): number {
  for (let i = 0; i < 50; i++) {
    const s = syntheticPanopticSample(DEFAULT_PANOPTIC_RECIPE.valSeed, i, { size });
    if (s.labels.length >= 3 && s.segments.length - s.labels.length === 3) return i;
  }
  return 0;
}

async function pngDataUrl(rgb: Uint8Array, width: number, height: number): Promise<string> {
  return `data:image/png;base64,${(await encodePng({ data: rgb, width, height })).toString('base64')}`;
}

/** RGB of `#rrggbb`. */
function hexRgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((o) => parseInt(hex.slice(o, o + 2), 16)) as [number, number, number];
}

/** A panoptic map painted: stuff in its category colour, each thing segment in an instance colour, void black. Mixed 70 / 30 with the image. */
export function paintPanoptic(rgb: Uint8Array, ids: Uint32Array, segments: ReadonlyArray<{ id: number; category_id: number }>): Uint8Array {
  const colourOf = new Map<number, [number, number, number]>();
  let thing = 0;
  for (const s of segments) {
    const cat = SYNTHETIC_PANOPTIC_CATEGORIES.find((c) => c.id === s.category_id);
    colourOf.set(s.id, cat?.isthing === 1 ? hexRgb(INSTANCE_COLOURS[thing++ % INSTANCE_COLOURS.length]) : (cat?.color ?? [128, 128, 128]));
  }
  const out = new Uint8Array(rgb.length);
  for (let p = 0; p < ids.length; p++) {
    const c = colourOf.get(ids[p]) ?? [0, 0, 0];
    for (let ch = 0; ch < 3; ch++) out[3 * p + ch] = ids[p] === 0 ? 0 : Math.round(0.7 * c[ch] + 0.3 * rgb[3 * p + ch]);
  }
  return out;
}

/** A semantic map painted in the category colours (void black), mixed 70 / 30 with the image. */
function paintSemantic(rgb: Uint8Array, semantic: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let p = 0; p < semantic.length; p++) {
    const c = SYNTHETIC_PANOPTIC_CATEGORIES.find((k) => k.id === semantic[p])?.color ?? [0, 0, 0];
    for (let ch = 0; ch < 3; ch++) out[3 * p + ch] = Math.round(0.7 * c[ch] + 0.3 * rgb[3 * p + ch]);
  }
  return out;
}

function boxRect(b: ArrayLike<number>, ox: number, oy: number, style: Record<string, string | number>): string {
  return rect(ox + SCALE * b[0], oy + SCALE * b[1], ox + SCALE * b[2], oy + SCALE * b[3], { fill: 'none', ...style });
}

/** The classification + localization model on a square crop around the largest object of `s`: its crop window, class, score and box in image pixels. */
async function classifyAndLocalize(ctx: ReportContext, s: SyntheticPanopticSample): Promise<{ window: number[]; box: number[]; label: number; score: number; truth: number; iou: number } | undefined> {
  const path = ctx.checkpoints.get('classloc') ?? assetsDir('checkpoints', 'classloc.ckpt');
  if (!existsSync(path) || s.labels.length === 0) return undefined;
  let best = 0, bestArea = -1;
  s.masks.forEach((m, j) => {
    const area = m.reduce((a, v) => a + v, 0);
    if (area > bestArea) [best, bestArea] = [j, area];
  });
  const size = s.width;
  const b = s.boxes.subarray(4 * best, 4 * best + 4);
  const side = Math.min(size, Math.max(16, Math.round(CROP_FACTOR * Math.max(b[2] - b[0], b[3] - b[1]))));
  const x0 = Math.max(0, Math.min(size - side, Math.round((b[0] + b[2]) / 2 - side / 2)));
  const y0 = Math.max(0, Math.min(size - side, Math.round((b[1] + b[3]) / 2 - side / 2)));
  const crop = new Uint8Array(side * side * 3);
  for (let r = 0; r < side; r++) crop.set(s.image.subarray(3 * ((y0 + r) * size + x0), 3 * ((y0 + r) * size + x0 + side)), 3 * r * side);
  const detector = loadDetector('classloc', path);
  try {
    const imgsz = typeof detector.meta.imgsz === 'number' ? detector.meta.imgsz : 64;
    const input = resizeBilinear(crop, side, side, 3, imgsz, imgsz);
    const x = imagesToTensor([input], imgsz, imgsz); // [1, S, S, 3]
    const [d] = detector.predict(x, [input]);
    x.dispose();
    if (d.labels.length === 0) return undefined;
    const k = side / imgsz;
    const box = [x0 + k * d.boxes[0], y0 + k * d.boxes[1], x0 + k * d.boxes[2], y0 + k * d.boxes[3]];
    const iw = Math.max(0, Math.min(box[2], b[2]) - Math.max(box[0], b[0])), ih = Math.max(0, Math.min(box[3], b[3]) - Math.max(box[1], b[1]));
    const inter = iw * ih;
    const iou = inter / ((box[2] - box[0]) * (box[3] - box[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
    return { window: [x0, y0, x0 + side, y0 + side], box, label: d.labels[0], score: d.scores[0], truth: s.labels[best] + 1, iou };
  } finally {
    detector.dispose();
  }
}

function labelText(label: number, score: number, x: number, y: number, fill: string): string {
  return text(x + 2, y, `${SHAPE_CLASSES[label - 1]} ${score.toFixed(2)}`, { 'font-size': 11, fill, 'font-weight': 'bold' });
}

/** The five panels (and the ground truth) as one SVG. */
async function ladderFigure(s: SyntheticPanopticSample, cl: Awaited<ReturnType<typeof classifyAndLocalize>>, boxes: Detections, out: PanopticOutput): Promise<{ svg: string; width: number }> {
  const size = s.width, side = SCALE * size, pad = 10, panel = side + 2 * pad, rowHeight = side + 2 * pad + 46;
  const width = 3 * panel, height = 2 * rowHeight;
  const parts = [rect(0, 0, width, height, { fill: '#fff' })];
  const at = (k: number) => [pad + (k % 3) * panel, pad + Math.floor(k / 3) * rowHeight] as const;
  const caption = (k: number, lines: string[]) => {
    const [ox, oy] = at(k);
    lines.forEach((l, i) => parts.push(text(ox, oy + side + 14 + 13 * i, l, { 'font-size': 11 })));
  };
  const url = await pngDataUrl(s.image, size, size);
  // 1. classification + localization
  let [ox, oy] = at(0);
  parts.push(image(url, ox, oy, side, side));
  if (cl) {
    parts.push(boxRect(cl.window, ox, oy, { stroke: '#fff', 'stroke-width': 1.5, 'stroke-dasharray': '5,3' }));
    parts.push(boxRect(cl.box, ox, oy, { stroke: colour(cl.label - 1), 'stroke-width': 2.5 }));
    parts.push(labelText(cl.label, cl.score, ox + SCALE * cl.box[0], Math.max(oy + 10, oy + SCALE * cl.box[1] - 3), colour(cl.label - 1)));
    caption(0, ['1. classification + localization', 'classloc on the dashed crop:', `${SHAPE_CLASSES[cl.label - 1]} (truth ${SHAPE_CLASSES[cl.truth - 1]}), box IoU ${cl.iou.toFixed(2)}`]);
  } else caption(0, ['1. classification + localization', '(classloc checkpoint missing)']);
  // 2. detection
  [ox, oy] = at(1);
  parts.push(image(url, ox, oy, side, side));
  let shown = 0;
  for (let j = 0; j < boxes.labels.length; j++) {
    if (boxes.scores[j] < DRAW_SCORE) continue;
    shown++;
    const b = boxes.boxes.subarray(4 * j, 4 * j + 4);
    parts.push(boxRect(b, ox, oy, { stroke: colour(boxes.labels[j] - 1), 'stroke-width': 2 }));
    parts.push(labelText(boxes.labels[j], boxes.scores[j], ox + SCALE * b[0], Math.max(oy + 10, oy + SCALE * b[1] - 3), colour(boxes.labels[j] - 1)));
  }
  caption(1, ['2. object detection', `Faster R-CNN: ${shown} boxes`, `(score ≥ ${DRAW_SCORE})`]);
  // 3. semantic
  [ox, oy] = at(2);
  parts.push(image(await pngDataUrl(paintSemantic(s.image, out.semantic), size, size), ox, oy, side, side));
  caption(2, ['3. semantic segmentation', 'semantic head: a class per pixel,', 'no instances']);
  // 4. instance
  [ox, oy] = at(3);
  const d = out.detections;
  const keep = [...d.scores.keys()].filter((j) => d.scores[j] >= DRAW_SCORE);
  parts.push(image(await pngDataUrl(blendMasks(s.image, keep.map((j) => d.masks![j]), keep.map((_, k) => INSTANCE_COLOURS[k % INSTANCE_COLOURS.length]), 0.6), size, size), ox, oy, side, side));
  keep.forEach((j, k) => parts.push(boxRect(d.boxes.subarray(4 * j, 4 * j + 4), ox, oy, { stroke: INSTANCE_COLOURS[k % INSTANCE_COLOURS.length], 'stroke-width': 1.5 })));
  caption(3, ['4. instance segmentation', `Mask R-CNN: ${keep.length} instances,`, 'things only']);
  // 5. panoptic
  [ox, oy] = at(4);
  parts.push(image(await pngDataUrl(paintPanoptic(s.image, out.ids, out.segments), size, size), ox, oy, side, side));
  const things = out.source.filter((i) => i >= 0).length;
  caption(4, ['5. panoptic segmentation', `fused: ${things} things + ${out.segments.length - things} stuff`, 'segments, void black']);
  // ground truth
  [ox, oy] = at(5);
  parts.push(image(await pngDataUrl(paintPanoptic(s.image, s.ids, s.segments), size, size), ox, oy, side, side));
  caption(5, ['ground truth (panoptic)', `${s.labels.length} things + ${s.segments.length - s.labels.length} stuff segments`]);
  return { svg: svgDoc(width, height, parts), width };
}

/** PQ / SQ / RQ rows (All / Things / Stuff) and per-category rows of a result. */
function pqTables(r: PanopticResult): string {
  const groups = htmlTable(['', 'PQ', 'SQ', 'RQ', 'categories'], (['All', 'Things', 'Stuff'] as const).map((g) => [g, r[g].pq, r[g].sq, r[g].rq, r[g].n]));
  const perClass = htmlTable(['category', 'kind', 'PQ', 'SQ', 'RQ', 'TP', 'FP', 'FN'], Object.values(r.perClass).map((c) => [c.name, c.isthing ? 'thing' : 'stuff', c.pq, c.sq, c.rq, c.tp, c.fp, c.fn]));
  return groups + perClass;
}

/** `panoptic` section: the five-panel picture and the panoptic model's PQ / SQ / RQ and mIoU. */
export async function panopticSection(ctx: ReportContext): Promise<ReportSection> {
  const title = 'From classification to panoptic segmentation';
  const instances = ctx.checkpoints.get('panoptic-mask-rcnn') ?? shippedPanopticMaskRcnnPath();
  const semantic = ctx.checkpoints.get('panoptic-semantic') ?? shippedSemanticHeadPath();
  const faster = detectorCheckpoint(ctx.checkpoints, 'faster-rcnn');
  if (![instances, semantic, faster].every((p) => existsSync(p))) {
    return { id: 'panoptic', title, html: '<p class="note">A panoptic checkpoint is missing (<code>assets/checkpoints/panoptic-*.ckpt</code>): this section is left out.</p>' };
  }
  await initEngine();
  const recipe = DEFAULT_PANOPTIC_RECIPE;
  const index = pictureImageIndex(recipe.imageSize);
  const s = syntheticPanopticSample(recipe.valSeed, index, { size: recipe.imageSize });
  const cl = await classifyAndLocalize(ctx, s);
  const { model: fasterModel } = loadFasterRcnn(faster);
  let boxes: Detections;
  try {
    const x = imagesToTensor([s.image], recipe.imageSize, recipe.imageSize); // [1, S, S, 3]
    [boxes] = fasterModel.predict(x);
    x.dispose();
  } finally {
    fasterModel.dispose();
  }
  const model = PanopticModel.load({ instances, semantic });
  let out: PanopticOutput, live: ReturnType<typeof evaluatePanopticModel>;
  try {
    [out] = model.predict([s.image], recipe.imageSize);
    live = evaluatePanopticModel(model, recipe, ctx.options.quick ? PANOPTIC_SECTION_IMAGES.quick : PANOPTIC_SECTION_IMAGES.full);
  } finally {
    model.dispose();
  }
  const fig = await ladderFigure(s, cl, boxes, out);
  const name = ctx.figure('panoptic-ladder.svg', fig.svg);
  const parts = [
    `<p>The lecture's ladder of tasks on one scene: held-out synthetic panoptic image ${index} (seed ${recipe.valSeed}; <code>detseg synth --panoptic</code>),
whose shapes are the <em>things</em> (countable: circle, square, triangle) and whose sky / ground / wall regions are the <em>stuff</em>
(amorphous, not counted). Classification + localization names and boxes <em>one</em> object; detection boxes every thing;
semantic segmentation labels every pixel but cannot tell two touching things of a class apart; instance segmentation separates
things but ignores stuff; panoptic segmentation gives every pixel a class and, for things, an instance id.</p>`,
    figureHtml(name, 'The five rungs on one held-out image; stuff in its category colour (sky blue, ground brown, wall red-grey), each thing in its own colour.', fig.width),
    `<p>The panoptic model is two networks and a rule: Mask R-CNN (the shipped one fine-tuned on the panoptic images) gives the things,
a multi-class U-Net (the semantic head, softmax cross-entropy over the 3 thing and 3 stuff classes) gives the stuff, and Panoptic FPN's
heuristic fuses them: instances by decreasing score (≥ 0.5), each dropped when more than half of it is already taken, then each stuff class
of the semantic argmax on the free pixels, void when under 64 pixels; thing classes of the semantic map are ignored.
Panoptic Quality (Kirillov et al. 2019) matches segments of the same class at IoU &gt; 0.5: PQ = ΣIoU / (TP + ½FP + ½FN) = SQ × RQ.</p>`,
  ];
  const stored = assetsDir('panoptic', 'scores.json');
  if (!ctx.options.retrain && existsSync(stored)) {
    const sc = JSON.parse(readFileSync(stored, 'utf8')) as StoredScores;
    parts.push(`<p>The shipped models on ${sc.images} held-out images (<code>${sc.command}</code>): PQ <strong>${sc.pq.All.pq.toFixed(3)}</strong>
(Things ${sc.pq.Things.pq.toFixed(3)}, Stuff ${sc.pq.Stuff.pq.toFixed(3)}); the semantic head's mIoU <strong>${sc.meanIou.toFixed(3)}</strong>
(pixel accuracy ${sc.pixelAccuracy.toFixed(3)}).</p>${pqTables(sc.pq)}`);
  }
  parts.push(`<p>Measured now on the first ${live.images} held-out images: PQ ${live.pq.All.pq.toFixed(3)} (Things ${live.pq.Things.pq.toFixed(3)},
Stuff ${live.pq.Stuff.pq.toFixed(3)}), semantic mIoU ${live.meanIou.toFixed(3)}.</p>${pqTables(live.pq)}`);
  return { id: 'panoptic', title, html: parts.join('\n') };
}
