import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { boxIou } from '../../boxes/iou.js';
import { encodePng } from '../../data/images.js';
import { SHAPE_CLASSES } from '../../data/synthetic.js';
import { loadCheckpoint } from '../../engine/checkpoint.js';
import { initEngine } from '../../engine/setup.js';
import { benchDetectors, type DetectorBenchRow } from '../../benchmarks/detectors.js';
import type { DetectorFamily } from '../../models/detection/detector.js';
import { DEFAULT_SYNTHETIC_RECIPE, heldOutSet } from '../../models/detection/recipe.js';
import { imagesToTensor, type DetectionSample } from '../../models/detection/synthetic-data.js';
import type { Detections } from '../../models/detection/types.js';
import { DETECTOR_FAMILIES, detectorFamily } from '../../models/registry.js';
import { defaultBoxesPerLocation } from '../../models/ssd/default-boxes.js';
import { SSD } from '../../models/ssd/ssd.js';
import { ssdMatch } from '../../models/ssd/targets.js';
import { yoloDetections, yoloPredictors, type YoloPredictors } from '../../models/yolov1/detections.js';
import { yoloTargets } from '../../models/yolov1/targets.js';
import { YOLOv1 } from '../../models/yolov1/yolov1.js';
import { checkpointClasses, checkpointImageSize, loadDetector, shippedCheckpoints } from '../../pipeline/weights.js';
import { estimateTextWidth, htmlTable } from '../../viz/plot.js';
import { circle, colour, escapeXml, fmt, image, line, rect, svgDoc, text } from '../../viz/svg.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';
import { ANCHOR_CANDIDATES, anchorImageIndex } from './detectors.js';

/**
 * The practical's single-stage section: the speed / accuracy trade-off of every shipped detector
 * (Huang et al. 2017's question, "single-stage or two-stage?"), YOLOv1's grid on one held-out image in
 * the lecture's three steps, and SSD's default boxes on two of its feature maps.
 */

/** Held-out images of the trade-off benchmark (full / quick). R-CNN takes ~0.5–1 s per image. */
export const SINGLE_STAGE_IMAGES = { bench: 20, benchQuick: 2 };
/** Class-specific confidence p(c)·C above which the YOLO figure's third panel keeps a box (before NMS). */
export const YOLO_DRAW_THRESHOLD = 0.2;
/** Figure pixels per image pixel. */
const SCALE = 2;

/** A checkpoint of the trade-off. */
export interface TradeoffCheckpoint {
  /** Shipped name (or the retrained run's name). */
  name: string;
  kind: string;
  path: string;
}

/**
 * The detectors of the trade-off: every shipped checkpoint, in registry order, its file replaced by the
 * one retrained in this run when `trained` has its name, then retrained checkpoints of names no family
 * ships (their family read from the file's `meta.format`). Only detectors of the synthetic shapes with
 * several objects per image are comparable on the same held-out images: one-object models (classification
 * + localization) and detectors of other classes are listed in `left` with the reason; missing files
 * are dropped silently.
 */
export function tradeoffCheckpoints(trained: ReadonlyMap<string, string> = new Map()): { used: TradeoffCheckpoint[]; left: string[] } {
  const candidates: Array<{ name: string; family?: DetectorFamily; path: string }> = shippedCheckpoints().map((s) => ({ name: s.name, family: s.family, path: trained.get(s.name) ?? s.path }));
  for (const [name, path] of trained) if (!candidates.some((c) => c.name === name)) candidates.push({ name, path });
  const used: TradeoffCheckpoint[] = [], left: string[] = [];
  for (const c of candidates) {
    if (!existsSync(c.path)) continue;
    const meta = loadCheckpoint(c.path).meta ?? {};
    const family = c.family ?? DETECTOR_FAMILIES.find((f) => f.format === meta.format);
    if (!family) continue; // not a detector (e.g. a U-Net retrained in the same run)
    const classes = checkpointClasses(meta);
    if (family.singleObject) left.push(`${c.name} (one object per image)`);
    else if (classes.join(',') !== SHAPE_CLASSES.join(',')) left.push(`${c.name} (classes ${classes.join(', ')})`);
    else used.push({ name: c.name, kind: family.kind, path: c.path });
  }
  return { used, left };
}

/** The palette entries of `colour` that read on white (no yellow, no light grey), in the scatter's order. */
const READABLE = [0, 1, 2, 3, 4, 5, 9, 7];

/** Layout of {@link tradeoffScatterSvg}, in figure pixels. */
export const SCATTER_LAYOUT = { width: 600, height: 380, left: 56, right: 150, top: 28, bottom: 44 };

/** The log-x range of the scatter: whole decades around the rows' ms/image. */
export function scatterRange(rows: DetectorBenchRow[]): [number, number] {
  const ms = rows.map((r) => Math.max(r.msPerImage, 1e-3));
  const lo = 10 ** Math.floor(Math.log10(Math.min(...ms))), hi = 10 ** Math.ceil(Math.log10(Math.max(...ms)));
  return [lo, hi > lo ? hi : lo * 10];
}

/**
 * mAP against median ms per image, log-scale x (decades), y from 0 to 1: per model a filled dot at its
 * mAP@[.5:.95] and an open square at its mAP@0.5, joined by a thin line, labelled with the model's name.
 * Markers carry `class="map"` / `class="map50"` and `data-model`.
 */
export function tradeoffScatterSvg(rows: DetectorBenchRow[]): string {
  const { width, height, left, right, top, bottom } = SCATTER_LAYOUT;
  const pw = width - left - right, ph = height - top - bottom;
  const [x0, x1] = scatterRange(rows);
  const px = (ms: number) => left + ((Math.log10(Math.max(ms, 1e-3)) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * pw;
  const py = (v: number) => top + ph - v * ph;
  const out = [rect(0, 0, width, height, { fill: '#fff' }), text(left + pw / 2, 18, 'accuracy against speed (one image at a time)', { 'text-anchor': 'middle', 'font-weight': 'bold' })];
  for (let d = Math.round(Math.log10(x0)); d <= Math.round(Math.log10(x1)); d++) {
    const x = px(10 ** d);
    out.push(line(x, top, x, top + ph, { stroke: '#eee' }), line(x, top + ph, x, top + ph + 4, { stroke: '#333' }), text(x, top + ph + 16, fmt(10 ** d), { 'text-anchor': 'middle' }));
  }
  for (let k = 0; k <= 5; k++) {
    const y = py(k / 5);
    out.push(line(left, y, left + pw, y, { stroke: '#eee' }), line(left - 4, y, left, y, { stroke: '#333' }), text(left - 6, y + 4, fmt(k / 5), { 'text-anchor': 'end' }));
  }
  out.push(rect(left, top, left + pw, top + ph, { stroke: '#333' }));
  out.push(text(left + pw / 2, height - 8, 'median ms per image (log scale)', { 'text-anchor': 'middle' }));
  out.push(text(14, top + ph / 2, 'mAP', { 'text-anchor': 'middle', transform: `rotate(-90 14 ${fmt(top + ph / 2)})` }));
  const placed: Array<[number, number, number]> = []; // labels drawn so far: x1, x2, baseline
  rows.forEach((r, k) => {
    const c = colour(READABLE[k % READABLE.length]), x = px(r.msPerImage);
    out.push(line(x, py(r.mAP), x, py(r.mAP50), { stroke: c, 'stroke-width': 1 }));
    out.push(circle(x, py(r.mAP), 4, { fill: c, class: 'map', 'data-model': r.model }));
    out.push(rect(x - 4, py(r.mAP50) - 4, x + 4, py(r.mAP50) + 4, { stroke: c, 'stroke-width': 1.5, class: 'map50', 'data-model': r.model }));
    // the label beside the mAP@0.5 square, moved down past labels it would overlap (models of similar speed and mAP)
    const x1 = x + 7, x2 = x1 + estimateTextWidth(r.model, 11);
    let y = py(r.mAP50) + 4;
    while (placed.some(([a, b, v]) => a < x2 && x1 < b && Math.abs(v - y) < 12)) y += 12;
    placed.push([x1, x2, y]);
    out.push(text(x1, y, r.model, { fill: c, 'font-size': 11 }));
  });
  // legend, beside the plot
  const lx = left + pw + 14;
  out.push(circle(lx + 4, top + 12, 4, { fill: '#333' }), text(lx + 14, top + 16, 'mAP@[.5:.95]'));
  out.push(rect(lx, top + 26, lx + 8, top + 34, { stroke: '#333', 'stroke-width': 1.5 }), text(lx + 14, top + 34, 'mAP@0.5'));
  return svgDoc(width, height, out);
}

/** PNG data URL of RGB bytes `Uint8Array [H, W, 3]`. */
async function pngDataUrl(rgb: Uint8Array, width: number, height: number): Promise<string> {
  const png = await encodePng({ data: rgb, width, height });
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** YOLOv1's three steps on one image (the data of {@link yoloGridSvg}). */
export interface YoloGridFigure {
  /** Image side in pixels (square image). */
  size: number;
  /** Grid cells per side S, boxes per cell B. */
  s: number;
  b: number;
  /** Cells `i·S + j` that hold an object centre (the model's own target assignment), ascending. */
  centreCells: number[];
  /** Object centres `[x, y]` in pixels. */
  centres: Array<[number, number]>;
  /** Every predictor's box and confidence, each cell's class probabilities. */
  predictors: YoloPredictors;
  /** The class-specific confidence threshold of the third panel. */
  threshold: number;
  /** Boxes whose p(c)·C passes `threshold`, after the model's NMS. */
  detections: Detections;
}

/** Runs YOLOv1 on one `size × size` sample and collects {@link YoloGridFigure}'s data. */
export function yoloGridExplained(model: YOLOv1, sample: DetectionSample, size: number, threshold = YOLO_DRAW_THRESHOLD): YoloGridFigure {
  const x = imagesToTensor([sample.sample.image], size, size); // [1, H, W, 3]
  const output = model.forward(x, false); // [1, S, S, 5B+C]
  const values = output.dataSync() as Float32Array;
  tf.dispose([x, output]);
  const grid = model.grid;
  const targets = yoloTargets(values, sample.target, grid, size, size);
  const centreCells = [...targets.cell.keys()].filter((c) => targets.cell[c] === 1);
  const gt = sample.target.boxes;
  const centres: Array<[number, number]> = [];
  for (let o = 0; 4 * o < gt.length; o++) centres.push([(gt[4 * o] + gt[4 * o + 2]) / 2, (gt[4 * o + 1] + gt[4 * o + 3]) / 2]);
  const detections = yoloDetections(values, grid, size, size, { ...model.options, scoreThreshold: threshold });
  return { size, s: grid.s, b: grid.b, centreCells, centres, predictors: yoloPredictors(values, grid, size, size), threshold, detections };
}

/**
 * The lecture's three YOLO panels side by side, each the image at {@link SCALE}×: (1) the S×S grid
 * (`class="grid-line"`), the cells holding an object centre filled (`class="centre-cell"`) and the
 * centres; (2) every cell's B boxes clipped to the image (`class="predictor"`, `data-row` = i·S·B + j·B + k), stroke opacity
 * = confidence / the image's highest confidence (c) and width 0.5 + 2.5·c, coloured by the cell's most probable class; (3) the
 * detections with class and p(c)·C (`class="detection"`). `classNames[c − 1]` names label c.
 */
export function yoloGridSvg(fig: YoloGridFigure, url: string, classNames: readonly string[]): string {
  const side = SCALE * fig.size, pad = 10, panel = side + 2 * pad, labelHeight = 30;
  const width = 3 * panel, height = panel + labelHeight;
  const cell = side / fig.s;
  const out = [rect(0, 0, width, height, { fill: '#fff' })];
  const classes = fig.predictors.classes, c = classes.length / (fig.s * fig.s);
  const argmax = (cellIndex: number) => {
    let best = 0;
    for (let q = 1; q < c; q++) if (classes[cellIndex * c + q] > classes[cellIndex * c + best]) best = q;
    return best;
  };
  for (let p = 0; p < 3; p++) {
    const ox = p * panel + pad;
    out.push(image(url, ox, pad, side, side), rect(ox, pad, ox + side, pad + side, { stroke: '#333' }));
  }
  // (1) the grid and the cells holding a centre
  let ox = pad;
  for (const cellIndex of fig.centreCells) {
    const i = Math.floor(cellIndex / fig.s), j = cellIndex % fig.s;
    out.push(rect(ox + j * cell, pad + i * cell, ox + (j + 1) * cell, pad + (i + 1) * cell, { fill: '#FFFF00', 'fill-opacity': 0.45, stroke: '#D55E00', 'stroke-width': 1.5, class: 'centre-cell' }));
  }
  for (let k = 0; k <= fig.s; k++) {
    out.push(line(ox + k * cell, pad, ox + k * cell, pad + side, { stroke: '#fff', 'stroke-width': 1, 'stroke-opacity': 0.8, class: 'grid-line' }));
    out.push(line(ox, pad + k * cell, ox + side, pad + k * cell, { stroke: '#fff', 'stroke-width': 1, 'stroke-opacity': 0.8, class: 'grid-line' }));
  }
  for (const [cx, cy] of fig.centres) out.push(circle(ox + SCALE * cx, pad + SCALE * cy, 3, { fill: '#D55E00' }));
  out.push(text(ox, pad + side + 14, `1. the ${fig.s}×${fig.s} grid`, { 'font-size': 11 }), text(ox, pad + side + 28, `${fig.centreCells.length} cells hold an object centre`, { 'font-size': 11 }));
  // (2) every predictor
  ox = panel + pad;
  const boxes = fig.predictors.boxes, confidence = fig.predictors.confidence;
  const most = Math.max(...confidence) || 1;
  for (let row = 0; row < confidence.length; row++) {
    const v = confidence[row] / most;
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map((q) => SCALE * Math.min(fig.size, Math.max(0, boxes[4 * row + q]))); // clipped to the image, as inference clips
    out.push(rect(ox + x1, pad + y1, ox + x2, pad + y2, { stroke: colour(argmax(Math.floor(row / fig.b))), 'stroke-opacity': v, 'stroke-width': 0.5 + 2.5 * v, class: 'predictor', 'data-row': row }));
  }
  out.push(text(ox, pad + side + 14, `2. all S·S·B = ${confidence.length} boxes`, { 'font-size': 11 }), text(ox, pad + side + 28, `opacity, width ∝ confidence C (max ${fmt(most)})`, { 'font-size': 11 }));
  // (3) the detections
  ox = 2 * panel + pad;
  const d = fig.detections;
  for (let k = 0; k < d.scores.length; k++) {
    const [x1, y1, x2, y2] = d.boxes.subarray(4 * k, 4 * k + 4);
    const stroke = colour(d.labels[k] - 1);
    out.push(rect(ox + SCALE * x1, pad + SCALE * y1, ox + SCALE * x2, pad + SCALE * y2, { stroke, 'stroke-width': 2, class: 'detection' }));
    out.push(text(ox + SCALE * x1 + 2, Math.max(pad + SCALE * y1 - 3, pad + 10), `${classNames[d.labels[k] - 1] ?? d.labels[k]} ${d.scores[k].toFixed(2)}`, { 'font-size': 11, fill: stroke, 'font-weight': 'bold' }));
  }
  out.push(text(ox, pad + side + 14, `3. p(c)·C > ${fig.threshold}, then NMS`, { 'font-size': 11 }), text(ox, pad + side + 28, `${d.scores.length} boxes`, { 'font-size': 11 }));
  return svgDoc(width, height, out);
}

/** SSD's default boxes on one image (the data of {@link ssdDefaultBoxSvg}). */
export interface SsdDefaultBoxFigure {
  size: number;
  /** Every feature map `[h, w]`, finest first, and the indices of the two drawn (the coarsest two). */
  maps: Array<[number, number]>;
  drawn: number[];
  /** Default boxes per location (aspect ratios + the extra box). */
  perLocation: number;
  /** `Float32Array [K,4] xyxy`: every default box of the image (the model's own). */
  defaults: Float32Array;
  /** First row of each map in `defaults`. */
  offsets: number[];
  /** `Int32Array [K]`: the matched ground truth of each default box, −1 for none ({@link ssdMatch}). */
  match: Int32Array;
  /** Matched default boxes whose IoU with their ground truth is above the threshold (the rest are a ground truth's best). */
  aboveThreshold: Uint8Array;
  /** Per drawn map: the location `[i, j]` whose default boxes are drawn. */
  locations: Array<[number, number]>;
  /** Ground truth `[G,4] xyxy`. */
  gt: Float32Array;
}

/** First default-box row of location (i, j) of map `m`. */
export function defaultBoxRow(fig: Pick<SsdDefaultBoxFigure, 'maps' | 'offsets' | 'perLocation'>, m: number, i: number, j: number): number {
  return fig.offsets[m] + (i * fig.maps[m][1] + j) * fig.perLocation;
}

/**
 * Matches the default boxes `defaults` (of feature maps `maps`, `perLocation` boxes each location) to the
 * ground truth `gt` with SSD's matcher, and picks the two coarsest maps and, on each, the location with
 * the most matched default boxes (ties: the first in row-major order; none matched: the location holding
 * the centre of the largest object).
 */
export function ssdDefaultBoxFigure(defaults: Float32Array, maps: Array<[number, number]>, perLocation: number, gt: Float32Array, size: number, threshold = 0.5): SsdDefaultBoxFigure {
  const offsets: number[] = [];
  let total = 0;
  for (const [h, w] of maps) {
    offsets.push(total);
    total += h * w * perLocation;
  }
  if (4 * total !== defaults.length) throw new Error(`ssdDefaultBoxFigure: ${defaults.length / 4} default boxes, the maps give ${total}`);
  const match = ssdMatch(defaults, gt, threshold);
  const g = gt.length >> 2;
  const iou = g > 0 ? boxIou(defaults, gt) : new Float32Array(0); // [K, G]
  const aboveThreshold = Uint8Array.from(match, (q, d) => (q >= 0 && iou[d * g + q] > threshold ? 1 : 0));
  const drawn = maps.length >= 2 ? [maps.length - 2, maps.length - 1] : [0];
  let largest = 0;
  const area = (o: number) => (gt[4 * o + 2] - gt[4 * o]) * (gt[4 * o + 3] - gt[4 * o + 1]);
  for (let o = 1; o < g; o++) if (area(o) > area(largest)) largest = o;
  const fig = { maps, offsets, perLocation };
  const locations = drawn.map((m): [number, number] => {
    const [h, w] = maps[m];
    let best: [number, number] | undefined, bestCount = 0;
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      const row = defaultBoxRow(fig, m, i, j);
      let count = 0;
      for (let r = 0; r < perLocation; r++) if (match[row + r] >= 0) count++;
      if (count > bestCount) [best, bestCount] = [[i, j], count];
    }
    if (best) return best;
    if (g === 0) return [Math.floor(h / 2), Math.floor(w / 2)];
    const cx = (gt[4 * largest] + gt[4 * largest + 2]) / 2, cy = (gt[4 * largest + 1] + gt[4 * largest + 3]) / 2;
    return [Math.min(h - 1, Math.floor((cy / size) * h)), Math.min(w - 1, Math.floor((cx / size) * w))];
  });
  return { size, maps, drawn, perLocation, defaults, offsets, match, aboveThreshold, locations, gt };
}

/** Matched default boxes of map `m`: rows, and how many of them by IoU > threshold. */
export function matchedOnMap(fig: SsdDefaultBoxFigure, m: number): { rows: number[]; aboveThreshold: number } {
  const [h, w] = fig.maps[m];
  const rows: number[] = [];
  let above = 0;
  for (let d = fig.offsets[m]; d < fig.offsets[m] + h * w * fig.perLocation; d++) {
    if (fig.match[d] < 0) continue;
    rows.push(d);
    above += fig.aboveThreshold[d];
  }
  return { rows, aboveThreshold: above };
}

/**
 * One panel per drawn map, the image at {@link SCALE}× with a margin for the boxes that reach outside
 * it: the map's cells (faint), the default boxes of the chosen location dashed (`class="default-box"`,
 * `data-row` its row in `defaults`), the map's matched default boxes solid in their ground truth's
 * colour (`class="matched-box"`), and the ground truth in black.
 */
export function ssdDefaultBoxSvg(fig: SsdDefaultBoxFigure, url: string): string {
  const side = SCALE * fig.size, labelHeight = 34;
  const shown: number[] = [];
  fig.drawn.forEach((m, p) => {
    const [i, j] = fig.locations[p];
    const row = defaultBoxRow(fig, m, i, j);
    for (let r = 0; r < fig.perLocation; r++) shown.push(row + r);
    shown.push(...matchedOnMap(fig, m).rows);
  });
  let overflow = 0;
  for (const d of shown) {
    const [x1, y1, x2, y2] = fig.defaults.subarray(4 * d, 4 * d + 4);
    overflow = Math.max(overflow, -x1, -y1, x2 - fig.size, y2 - fig.size);
  }
  const margin = Math.ceil(SCALE * overflow) + 8;
  const panel = side + 2 * margin;
  const width = fig.drawn.length * panel, height = panel + labelHeight;
  const out = [rect(0, 0, width, height, { fill: '#fff' })];
  const box = (d: number, ox: number, style: Record<string, string | number>) => {
    const [x1, y1, x2, y2] = fig.defaults.subarray(4 * d, 4 * d + 4);
    return rect(ox + SCALE * x1, margin + SCALE * y1, ox + SCALE * x2, margin + SCALE * y2, style);
  };
  fig.drawn.forEach((m, p) => {
    const ox = p * panel + margin;
    const [h, w] = fig.maps[m];
    out.push(image(url, ox, margin, side, side), rect(ox, margin, ox + side, margin + side, { stroke: '#333' }));
    for (let k = 1; k < w; k++) out.push(line(ox + (k * side) / w, margin, ox + (k * side) / w, margin + side, { stroke: '#fff', 'stroke-opacity': 0.6 }));
    for (let k = 1; k < h; k++) out.push(line(ox, margin + (k * side) / h, ox + side, margin + (k * side) / h, { stroke: '#fff', 'stroke-opacity': 0.6 }));
    const matched = matchedOnMap(fig, m);
    for (const d of matched.rows) out.push(box(d, ox, { stroke: colour(fig.match[d]), 'stroke-width': 1.5, class: 'matched-box', 'data-row': d }));
    const [i, j] = fig.locations[p];
    const first = defaultBoxRow(fig, m, i, j);
    for (let r = 0; r < fig.perLocation; r++) out.push(box(first + r, ox, { stroke: '#00FFFF', 'stroke-width': 1.2, 'stroke-dasharray': '4,2', class: 'default-box', 'data-row': first + r }));
    out.push(circle(ox + (side * (j + 0.5)) / w, margin + (side * (i + 0.5)) / h, 3, { fill: '#00FFFF', stroke: '#000' }));
    for (let o = 0; 4 * o < fig.gt.length; o++) out.push(rect(ox + SCALE * fig.gt[4 * o], margin + SCALE * fig.gt[4 * o + 1], ox + SCALE * fig.gt[4 * o + 2], margin + SCALE * fig.gt[4 * o + 3], { stroke: '#000', 'stroke-width': 1.5, 'stroke-dasharray': '5,3' }));
    out.push(text(ox, panel + 18, `${h}×${w} map: location (${i}, ${j}), ${matched.rows.length} matched default boxes`, { 'font-size': 11 }));
  });
  return svgDoc(width, height, out);
}

/** The checkpoint of the trade-off of family `kind` (its first), or undefined. */
function checkpointOf(list: TradeoffCheckpoint[], kind: string): TradeoffCheckpoint | undefined {
  return list.find((c) => c.kind === kind);
}

function missingNote(kind: string): string {
  const family = detectorFamily(kind);
  return `<p class="note">No ${escapeXml(family.title)} checkpoint is shipped (<code>assets/checkpoints/</code>) or retrained in this run: this part is left out.</p>`;
}

async function tradeoffPart(ctx: ReportContext, list: TradeoffCheckpoint[], left: string[]): Promise<string> {
  if (list.length === 0) return '<p class="note">No shipped detector checkpoint of the synthetic shapes is present: the trade-off is left out.</p>';
  const images = ctx.options.quick ? SINGLE_STAGE_IMAGES.benchQuick : SINGLE_STAGE_IMAGES.bench;
  const rows = await benchDetectors({ images, checkpoints: list });
  const scatter = ctx.figure('single-stage-tradeoff.svg', tradeoffScatterSvg(rows));
  const reference = rows.find((r) => r.model === detectorFamily('faster-rcnn').shipped[0]?.name);
  // speed relative to the shipped Faster R-CNN: its ms per image over each model's
  const relative = reference ? rows.filter((r) => r !== reference).map((r) => `${escapeXml(r.model)} ${Number((reference.msPerImage / r.msPerImage).toPrecision(2))}×`) : [];
  return [
    `<h3>Speed against accuracy</h3>`,
    `<p>Every shipped detector of the synthetic shapes on the same ${images} held-out 128×128 images (seed 2), one image at a time after one untimed image, `,
    `on this machine's CPU (<code>benchDetectors</code>, as <code>detseg bench detectors</code>): the median milliseconds of the network and its post-processing `,
    `per image (R-CNN and Fast R-CNN include their selective-search proposals), and COCO mAP on these ${images} images only${ctx.options.quick ? ' (quick run: too few images for a meaningful mAP)' : ''}.`,
    left.length > 0 ? ` Not comparable on these images, so left out: ${left.map(escapeXml).join('; ')}.` : '',
    `</p>`,
    htmlTable(['model', 'params', 'ms/image', 'mAP', 'mAP@0.5'], rows.map((r) => [r.model, r.params.toLocaleString('en-US'), r.msPerImage.toFixed(1), r.mAP, r.mAP50]), 3),
    figureHtml(scatter, 'mAP@[.5:.95] (dots) and mAP@0.5 (squares) against the median ms per image (log scale), one colour per model.'),
    relative.length > 0 ? `<p>Speed relative to ${escapeXml(reference!.model)} (its ms per image over each model's; above 1× is faster): ${relative.join(', ')}.</p>` : '',
    `<p>Huang et al. (2017) ask the lecture's question with many detectors on one GPU: single-stage detectors (YOLO, SSD) sit at the fast end, `,
    `two-stage ones (Faster R-CNN, R-FCN) at the accurate end, and the gap narrows for large objects. The papers: YOLO 45 fps and SSD300 46 fps against `,
    `Faster R-CNN (VGG-16) at 7 fps. Here the backbones are small and the images 128², so what comes after the backbone — proposals, per-region heads, post-processing — decides much of the time.</p>`,
  ].join('');
}

/** YOLOv1's three steps on one held-out image, from `checkpoint` (without one: a one-line note). */
export async function yoloPart(ctx: ReportContext, checkpoint: TradeoffCheckpoint | undefined): Promise<string> {
  if (!checkpoint) return `<h3>YOLOv1's grid, step by step</h3>${missingNote('yolov1')}`;
  const detector = loadDetector(checkpoint.kind, checkpoint.path);
  try {
    if (!(detector.model instanceof YOLOv1)) throw new Error(`${checkpoint.path}: not a YOLOv1 model`);
    const size = checkpointImageSize(detector.meta);
    const candidates = heldOutSet({ ...DEFAULT_SYNTHETIC_RECIPE, imageSize: size, valImages: ANCHOR_CANDIDATES });
    const index = anchorImageIndex(candidates);
    const sample = candidates[index];
    const fig = yoloGridExplained(detector.model, sample, size);
    const url = await pngDataUrl(sample.sample.image, size, size);
    const name = ctx.figure('single-stage-yolo-grid.svg', yoloGridSvg(fig, url, detector.classes));
    const { s, b } = fig, c = detector.classes.length;
    return [
      `<h3>YOLOv1's grid, step by step</h3>`,
      `<p>The ${escapeXml(checkpoint.name)} checkpoint (S = ${s}, B = ${b}, C = ${c}: an output of S×S×(5B + C) = ${s}×${s}×${5 * b + c}) on held-out image ${index} `,
      `(seed ${DEFAULT_SYNTHETIC_RECIPE.valSeed}, the one with the most objects among the first ${ANCHOR_CANDIDATES}; ${sample.target.labels.length} objects). `,
      `(1) The image is divided into an S×S grid; the cell holding an object's centre is responsible for it (${fig.centreCells.length} cells here). `,
      `(2) Each cell predicts B boxes — x, y relative to the cell, w, h relative to the image — each with a confidence C, and one set of class probabilities p(c | object): `,
      `all ${s * s * b} boxes, drawn with opacity and width in proportion to C (relative to the highest C of the image) and in the colour of the cell's most probable class. `,
      `(3) The class-specific confidence p(c | object)·C of every box and class, the boxes above ${YOLO_DRAW_THRESHOLD} and then per-class NMS (the model's own decoding, `,
      `<code>yoloDetections</code>): ${fig.detections.scores.length} boxes.</p>`,
      figureHtml(name, `YOLOv1 on one held-out image: the ${s}×${s} grid with the cells of the object centres; all ${s * s * b} predicted boxes; the detections after the threshold and NMS.`),
    ].join('');
  } finally {
    detector.dispose();
  }
}

/** SSD's default boxes on the two coarsest maps of one held-out image, from `checkpoint` (without one: a one-line note). */
export async function ssdPart(ctx: ReportContext, checkpoint: TradeoffCheckpoint | undefined): Promise<string> {
  if (!checkpoint) return `<h3>SSD's default boxes</h3>${missingNote('ssd')}`;
  const detector = loadDetector(checkpoint.kind, checkpoint.path);
  try {
    const model = detector.model;
    if (!(model instanceof SSD)) throw new Error(`${checkpoint.path}: not an SSD model`);
    const size = checkpointImageSize(detector.meta);
    const x = tf.zeros([1, size, size, 3]) as tf.Tensor4D;
    const { logits, deltas, defaults, maps } = model.forward(x, false); // the default boxes depend on the map sizes only
    tf.dispose([x, logits, deltas]);
    const perLocation = defaultBoxesPerLocation(model.options);
    const threshold = model.options.matchThreshold ?? 0.5;
    // the held-out image (of the first few) with the most default boxes matched on the drawn maps
    const candidates = heldOutSet({ ...DEFAULT_SYNTHETIC_RECIPE, imageSize: size, valImages: ANCHOR_CANDIDATES });
    let index = 0, bestCount = -1, fig: SsdDefaultBoxFigure | undefined;
    candidates.forEach((s, k) => {
      const f = ssdDefaultBoxFigure(defaults, maps, perLocation, s.target.boxes, size, threshold);
      const count = f.drawn.reduce((sum, m) => sum + matchedOnMap(f, m).rows.length, 0);
      if (count > bestCount) [index, bestCount, fig] = [k, count, f];
    });
    const f = fig!;
    const sample = candidates[index];
    const url = await pngDataUrl(sample.sample.image, size, size);
    const name = ctx.figure('single-stage-ssd-default-boxes.svg', ssdDefaultBoxSvg(f, url));
    const matchedAll = f.match.reduce((sum, q) => sum + (q >= 0 ? 1 : 0), 0);
    const perMap = f.drawn.map((m) => {
      const { rows, aboveThreshold } = matchedOnMap(f, m);
      return `${f.maps[m][0]}×${f.maps[m][1]}: ${rows.length} matched (${aboveThreshold} with IoU &gt; ${threshold}, ${rows.length - aboveThreshold} as a ground truth's best)`;
    });
    const ratios = (model.options.aspectRatios ?? [1, 2, 3, 1 / 2, 1 / 3]).map((a) => (a >= 1 ? String(a) : `1/${Math.round(1 / a)}`)).join(', ');
    return [
      `<h3>SSD's default boxes</h3>`,
      `<p>The ${escapeXml(checkpoint.name)} checkpoint lays default boxes on ${maps.length} feature maps of a ${size}×${size} image (${maps.map(([h, w]) => `${h}×${w}`).join(', ')}): `,
      `${defaults.length / 4} in all, ${perLocation} per location (aspect ratios ${ratios} and the extra box of scale √(s_k s_{k+1})). `,
      `Held-out image ${index} (seed ${DEFAULT_SYNTHETIC_RECIPE.valSeed}; of the first ${ANCHOR_CANDIDATES}, the one with the most default boxes matched on the two coarsest maps), `,
      `${sample.target.labels.length} objects: SSD's matcher gives each ground truth its best default box and every default box with IoU &gt; ${threshold}, `,
      `<strong>${matchedAll}</strong> matched default boxes over all maps; on the maps drawn, ${perMap.join('; ')}. The rest are negatives, of which training keeps the 3 hardest per positive.</p>`,
      figureHtml(name, `Default boxes of one location of each of the two coarsest maps (cyan, dashed; the dot is the location's centre), the default boxes of that map matched to the ground truth (solid, one colour per object), the ground truth (black, dashed).`),
    ].join('');
  } finally {
    detector.dispose();
  }
}

/** `single-stage` section: the mAP / ms trade-off of every shipped detector, YOLOv1's grid, SSD's default boxes. */
export async function singleStageSection(ctx: ReportContext): Promise<ReportSection> {
  const title = 'Single-stage detectors and the speed / accuracy trade-off';
  await initEngine();
  const { used, left } = tradeoffCheckpoints(ctx.checkpoints);
  const tradeoff = await tradeoffPart(ctx, used, left);
  const yolo = await yoloPart(ctx, checkpointOf(used, 'yolov1'));
  const ssd = await ssdPart(ctx, checkpointOf(used, 'ssd'));
  const intro = `<p>The lecture asks whether detection needs two stages. YOLOv1 (Redmon et al. 2016) and SSD (Liu et al. 2016) predict boxes and classes in one pass of one network, with no proposals: below, how fast and how accurate each shipped detector is, and how the two single-stage detectors lay out their predictions.</p>`;
  return { id: 'single-stage', title, html: intro + tradeoff + yolo + ssd };
}
