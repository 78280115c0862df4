import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { ProposalGenerator } from '../../anchors/proposals.js';
import { matchLabels } from '../../anchors/matcher.js';
import { boxIou } from '../../boxes/iou.js';
import { encodePng } from '../../data/images.js';
import { SHAPE_CLASSES } from '../../data/synthetic.js';
import { initEngine } from '../../engine/setup.js';
import { benchRcnnFamily, rcnnFamilyCheckpoints, PAPER_RATIOS, type RcnnFamilyReport, type RcnnFamilyRow } from '../../benchmarks/rcnn-family.js';
import { DEFAULT_SYNTHETIC_RECIPE, heldOutSet, type SyntheticRecipe } from '../../models/detection/recipe.js';
import { imagesToTensor, type DetectionSample } from '../../models/detection/synthetic-data.js';
import type { Detections } from '../../models/detection/types.js';
import { loadFasterRcnn } from '../../models/faster-rcnn/checkpoint.js';
import { detectorCheckpoint } from '../../pipeline/shipped-chain.js';
import { loadMaskRcnn } from '../../models/mask-rcnn/checkpoint.js';
import { mulberry32, shuffleInPlace } from '../../util/random.js';
import { htmlTable } from '../../viz/plot.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';
import { colour, escapeXml, group, image, rect, svgDoc, text } from '../../viz/svg.js';

/**
 * The practical's detector section, from the shipped checkpoints: the R-CNN family's speed on the same
 * held-out images (table + stacked bars), the RPN's anchors at work on one held-out image (matched
 * anchors, proposals before / after NMS), and Faster R-CNN boxes beside Mask R-CNN masks.
 */

/**
 * Workload of the section: images of the speed table and of the detection figure (full / quick). R-CNN
 * takes ~0.5–1 s per image (a backbone pass per proposal), so the speed table is timed on 5 images.
 */
export const DETECTOR_SECTION_IMAGES = { speed: 5, speedQuick: 2, masks: 4, masksQuick: 1 };
/** Proposals drawn per panel of the proposals figure, negatives drawn in the anchors figure. */
export const DRAWN_PROPOSALS = 20;
export const DRAWN_NEGATIVES = 24;
/** The anchors figure shows the held-out image with the most objects among the first this many (lowest index on ties). */
export const ANCHOR_CANDIDATES = 10;
/** Detections below this score are not drawn. */
export const DRAW_SCORE_THRESHOLD = 0.5;
/** Instance colours of the mask overlay (bright, to stand out from the shapes' own colours). */
const MASK_COLOURS = ['#FFFF00', '#00FFFF', '#FF8000', '#FFFFFF', '#80FF00', '#FF00FF', '#0080FF', '#FF0000'];
/** Figure pixels per image pixel of the 128×128 synthetic images. */
const SCALE = 2;

/** The anchors of one image matched against its ground truth (the RPN's matcher, 0.7 / 0.3 + best per GT). */
export interface AnchorMatchSummary {
  /** Held-out image index (within the recipe's held-out set). */
  imageIndex: number;
  /** Anchors in all (h·w·A). */
  anchors: number;
  /** `Int32Array` indices of the positive anchors (IoU ≥ fg threshold, or best for a ground truth), ascending. */
  positive: Int32Array;
  /** Ground truth matched by each positive anchor. */
  positiveGt: Int32Array;
  /** Negatives (IoU < bg threshold) and ignored anchors in all. */
  negatives: number;
  ignored: number;
  /** `Int32Array` a uniform sample (seeded) of {@link DRAWN_NEGATIVES} negative anchors. */
  negativeSample: Int32Array;
  /** `Float32Array [N,4] xyxy` every anchor of the image's feature map. */
  anchorBoxes: Float32Array;
  /** Proposals `Float32Array [K,4] xyxy` by decreasing objectness: the top-N before NMS and after NMS. */
  beforeNms: Float32Array;
  afterNms: Float32Array;
  /** Proposals of the shipped generator (after NMS) in all, and candidates before NMS in all. */
  afterNmsCount: number;
  beforeNmsCount: number;
  /** Ground-truth objects that some drawn proposal overlaps with IoU ≥ 0.5, before and after NMS. */
  coveredBefore: number;
  coveredAfter: number;
  /** Drawn proposals that overlap a better-ranked drawn one with IoU > 0.7 (near-duplicates), before and after NMS. */
  duplicatesBefore: number;
  duplicatesAfter: number;
}

/** Boxes of `boxes [K,4]` (by rank) whose IoU with some better-ranked box is > `threshold`. */
function nearDuplicates(boxes: Float32Array, threshold = 0.7): number {
  const k = boxes.length >> 2;
  const iou = boxIou(boxes, boxes); // [K, K]
  let count = 0;
  for (let j = 1; j < k; j++) {
    for (let i = 0; i < j; i++) if (iou[i * k + j] > threshold) { count++; break; }
  }
  return count;
}

/** Ground truths `gt [M,4]` that at least one of `boxes [K,4]` overlaps with IoU ≥ 0.5. */
function coveredObjects(gt: Float32Array, boxes: Float32Array): number {
  const m = gt.length >> 2, k = boxes.length >> 2;
  if (k === 0) return 0;
  const iou = boxIou(gt, boxes); // [M, K]
  let covered = 0;
  for (let g = 0; g < m; g++) {
    for (let j = 0; j < k; j++) if (iou[g * k + j] >= 0.5) { covered++; break; }
  }
  return covered;
}

/**
 * Runs the shipped Faster R-CNN's backbone and RPN head on held-out image `sample`, matches its anchors
 * to the ground truth with the RPN's own matcher, and makes proposals twice: with the RPN's test-time
 * generator, and with the same generator without NMS (threshold 1, which suppresses nothing).
 */
export function anchorsAtWork(model: ReturnType<typeof loadFasterRcnn>['model'], sample: DetectionSample, imageIndex: number, size: number): AnchorMatchSummary {
  const rpn = model.rpn;
  const x = imagesToTensor([sample.sample.image], size, size); // [1, H, W, 3]
  const features = model.backbone.model.apply(x, { training: false }) as tf.Tensor4D; // [1, h, w, C]
  const [, gridHeight, gridWidth] = features.shape;
  const [objectness, deltas] = rpn.head.apply(features, { training: false }) as [tf.Tensor4D, tf.Tensor4D]; // [1, h, w, A], [1, h, w, 4A]
  const objectnessValues = objectness.dataSync() as Float32Array;
  const deltaValues = deltas.dataSync() as Float32Array;
  tf.dispose([x, features, objectness, deltas]);
  const anchorBoxes = rpn.anchors(gridHeight, gridWidth); // [N, 4]
  const n = anchorBoxes.length >> 2;
  const gt = sample.target.boxes;
  const matches = rpn.matcher.match(boxIou(gt, anchorBoxes), gt.length >> 2, n); // [N]
  const labels = matchLabels(matches);
  const positive: number[] = [], negative: number[] = [];
  let ignored = 0;
  for (let j = 0; j < n; j++) {
    if (labels[j] === 1) positive.push(j);
    else if (labels[j] === 0) negative.push(j);
    else ignored++;
  }
  const random = mulberry32(7);
  const pool = shuffleInPlace([...negative], random);
  const negativeSample = Int32Array.from(pool.slice(0, DRAWN_NEGATIVES)).sort();
  const input = { anchors: anchorBoxes, objectness: objectnessValues, deltas: deltaValues, imageWidth: size, imageHeight: size };
  const shipped = rpn.testProposals;
  const after = shipped.generate(input).boxes;
  const noNms = new ProposalGenerator({ preNmsTopN: shipped.preNmsTopN, postNmsTopN: shipped.preNmsTopN, nmsThreshold: 1, minSize: shipped.minSize, coder: shipped.coder });
  const before = noNms.generate(input).boxes;
  const beforeNms = before.slice(0, 4 * DRAWN_PROPOSALS), afterNms = after.slice(0, 4 * DRAWN_PROPOSALS);
  return {
    imageIndex,
    anchors: n,
    positive: Int32Array.from(positive),
    positiveGt: Int32Array.from(positive, (j) => matches[j]),
    negatives: negative.length,
    ignored,
    negativeSample,
    anchorBoxes,
    beforeNms,
    afterNms,
    coveredBefore: coveredObjects(gt, beforeNms),
    coveredAfter: coveredObjects(gt, afterNms),
    duplicatesBefore: nearDuplicates(beforeNms),
    duplicatesAfter: nearDuplicates(afterNms),
    beforeNmsCount: before.length >> 2,
    afterNmsCount: after.length >> 2,
  };
}

/** PNG data URL of RGB bytes `Uint8Array [H, W, 3]`. */
async function pngDataUrl(rgb: Uint8Array, width: number, height: number): Promise<string> {
  const png = await encodePng({ data: rgb, width, height });
  return `data:image/png;base64,${png.toString('base64')}`;
}

/**
 * The image with each mask blended in its colour: `Uint8Array [H, W, 3]` where every masked pixel is
 * (1 − alpha)·pixel + alpha·colour (later masks over earlier ones). `masks`: `Uint8Array [H, W]` each.
 */
export function blendMasks(rgb: Uint8Array, masks: Uint8Array[], colours: string[], alpha = 0.5): Uint8Array {
  const out = Uint8Array.from(rgb);
  masks.forEach((mask, k) => {
    const hex = colours[k];
    const c = [1, 3, 5].map((o) => parseInt(hex.slice(o, o + 2), 16));
    for (let p = 0; p < mask.length; p++) {
      if (!mask[p]) continue;
      for (let ch = 0; ch < 3; ch++) out[3 * p + ch] = Math.round((1 - alpha) * out[3 * p + ch] + alpha * c[ch]);
    }
  });
  return out;
}

/** SVG rectangles of boxes `Float32Array [K,4] xyxy` (image pixels) scaled by {@link SCALE}, offset (ox, oy). */
function boxRects(boxes: Float32Array, ox: number, oy: number, style: (k: number) => Record<string, string | number | undefined>): string[] {
  const out: string[] = [];
  for (let k = 0; 4 * k < boxes.length; k++) {
    out.push(rect(ox + SCALE * boxes[4 * k], oy + SCALE * boxes[4 * k + 1], ox + SCALE * boxes[4 * k + 2], oy + SCALE * boxes[4 * k + 3], style(k)));
  }
  return out;
}

/** Boxes of `boxes` at the indices `which`, as a compact `Float32Array [K,4]`. */
function pick(boxes: Float32Array, which: ArrayLike<number>): Float32Array {
  const out = new Float32Array(4 * which.length);
  for (let k = 0; k < which.length; k++) out.set(boxes.subarray(4 * which[k], 4 * which[k] + 4), 4 * k);
  return out;
}

/** Stacked horizontal bars: proposal and network seconds per image of each method. */
export function speedBarsSvg(report: RcnnFamilyReport): string {
  const left = 110, barHeight = 26, gap = 14, top = 30, plotWidth = 380;
  const max = Math.max(...report.rows.map((r) => r.proposalSeconds + r.networkSeconds)) || 1;
  const width = left + plotWidth + 90, height = top + report.rows.length * (barHeight + gap) + 50;
  const parts: string[] = [rect(0, 0, width, height, { fill: '#fff' }), text(left, 18, 'median seconds per image (one image at a time)')];
  report.rows.forEach((r, i) => {
    const y = top + i * (barHeight + gap);
    const wp = (plotWidth * r.proposalSeconds) / max, wn = (plotWidth * r.networkSeconds) / max;
    parts.push(text(left - 8, y + barHeight / 2 + 4, r.method, { 'text-anchor': 'end' }));
    parts.push(rect(left, y, left + wp, y + barHeight, { fill: colour(1) }), rect(left + wp, y, left + wp + wn, y + barHeight, { fill: colour(0) }));
    parts.push(text(left + wp + wn + 6, y + barHeight / 2 + 4, `${(r.proposalSeconds + r.networkSeconds).toFixed(3)} s`));
  });
  const ly = height - 22;
  parts.push(rect(left, ly - 10, left + 14, ly, { fill: colour(1) }), text(left + 18, ly, 'proposals'));
  parts.push(rect(left + 110, ly - 10, left + 124, ly, { fill: colour(0) }), text(left + 128, ly, 'network (backbone, heads, post-processing)'));
  return svgDoc(width, height, parts);
}

/** The ratios table of a speed report: one row per ratio with its definition, the measured value and the papers' value. */
export function ratioRows(report: RcnnFamilyReport): string[][] {
  const r = report.ratios;
  const x = (v: number) => `${v.toFixed(1)}×`;
  return [
    ['R-CNN / Fast R-CNN', 'network s/img (same proposals, left out)', `<span id="ratio-rcnn-fast-network">${x(r.rcnnOverFastNetwork)}</span>`, `${x(PAPER_RATIOS.rcnnOverFastNetwork)} (Girshick 2015, Table 4: 47.0 s vs 0.32 s)`],
    ['R-CNN / Fast R-CNN', 'total s/img (selective search in both)', `<span id="ratio-rcnn-fast-total">${x(r.rcnnOverFastTotal)}</span>`, ''],
    ['Fast R-CNN / Faster R-CNN', 'total s/img (selective search vs RPN)', `<span id="ratio-fast-faster-total">${x(r.fastOverFasterTotal)}</span>`, `${x(PAPER_RATIOS.fastOverFasterTotal)} (Ren et al. 2015, Table 5: 1,830 ms vs 198 ms)`],
  ];
}

async function speedPart(ctx: ReportContext, recipe: SyntheticRecipe): Promise<string> {
  const images = ctx.options.quick ? DETECTOR_SECTION_IMAGES.speedQuick : DETECTOR_SECTION_IMAGES.speed;
  const report = benchRcnnFamily({ images, seed: recipe.valSeed, checkpoints: rcnnFamilyCheckpoints(ctx.checkpoints) });
  const [rcnn] = report.rows;
  const removed: Record<RcnnFamilyRow['method'], string> = {
    'R-CNN': '(the baseline: one backbone pass per warped proposal)',
    'Fast R-CNN': 'the per-proposal backbone passes: one pass per image, each proposal pooled from the feature map',
    'Faster R-CNN': 'the external proposals: the RPN makes them on the same feature map',
  };
  const rows = report.rows.map((r) => [r.method, removed[r.method], r.proposer, Math.round(r.proposalsPerImage), r.totalSeconds.toFixed(4), r.heldOut ? r.heldOut.mAP : '–', r.heldOut ? r.heldOut.mAP50 : '–', r.mAP, r.mAP50]);
  const heldOutImages = report.rows.find((r) => r.heldOut)?.heldOut?.images;
  const bars = ctx.figure('detectors-speed.svg', speedBarsSvg(report));
  const ratioTable = `<table><thead><tr>${['ratio', 'of', 'measured here', 'papers (VGG16, K40 GPU)'].map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${ratioRows(report)
    .map((r) => `<tr>${r.map((v, c) => `<td>${c === 2 ? v : escapeXml(v)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
  return [
    `<h3>Speed of the R-CNN family</h3>`,
    `<p>R-CNN, Fast R-CNN and Faster R-CNN, all three from one small-backbone Faster R-CNN (R-CNN and Fast R-CNN fine-tuned from it, Faster R-CNN trained further; the boxes and masks below come from the larger shipped Faster and Mask R-CNN), ${report.sameBackboneArchitecture ? `with the same backbone architecture (${report.rows[0].backboneParameters.toLocaleString('en-US')} parameters)` : `<strong>with different backbones (${report.rows.map((r) => `${r.method} ${r.backboneParameters.toLocaleString('en-US')}`).join(', ')} parameters): not like for like</strong>`}, on the same ${report.images} held-out `,
    `synthetic ${report.imageSize}×${report.imageSize} images (seed ${report.seed}), one image at a time on this machine's CPU (tfjs wasm); medians per image `,
    `after one warm-up image (<code>benchRcnnFamily</code>). Selective search (${report.proposalMode} mode, ~${Math.round(rcnn.proposalsPerImage)} proposals per image) runs once per image and is charged to both R-CNN and Fast R-CNN. `,
    `R-CNN warps every proposal to ${report.rcnnWarpSize}×${report.rcnnWarpSize}${report.rcnnWarpSize === report.imageSize ? ', the input size its backbone is built for (as R-CNN warps to AlexNet\'s 227×227),' : ''} and runs the whole backbone on each crop; `,
    `Fast R-CNN runs the backbone once per image and pools each proposal from the feature map; Faster R-CNN makes its own proposals with the RPN on that feature map. `,
    `Each step removes one bottleneck of the one before and must not lose accuracy for it: the held-out mAP is COCOeval's on ${heldOutImages ?? 'the'} held-out images, as each checkpoint recorded it when it was trained; the last two columns are on these ${report.images} timed images only${ctx.options.quick ? ' (quick run: too few images for a meaningful mAP)' : ''}.</p>`,
    htmlTable(['method', 'removes', 'proposals', 'per image', 'total s/img', `held-out mAP`, 'held-out mAP@0.5', `mAP (${report.images} images)`, 'mAP@0.5'], rows, 3),
    htmlTable(['method', 'proposal s/img', 'network s/img', 'total s/img'], report.rows.map((r) => [r.method, r.proposalSeconds.toFixed(4), r.networkSeconds.toFixed(4), r.totalSeconds.toFixed(4)])),
    `<p>The ratios, each the quotient of two medians of the table:</p>`,
    ratioTable,
    figureHtml(bars, 'Median seconds per image of the proposals (orange) and of the network (blue), stacked; the value is their sum (the table\'s total is the median of the per-image sums).'),
    `<p>The papers' absolute times are for VGG16 on large images and a GPU; here a 72,752-parameter backbone on 128×128 images and two CPU cores. `,
    `What carries over is where the time goes: R-CNN pays one backbone pass per proposal, Fast R-CNN one per image but still waits for selective search, `,
    `and Faster R-CNN's RPN makes proposals for almost nothing on the features it computes anyway. Timings on two shared CPU cores are noisy.</p>`,
  ].join('');
}

/** Index of the held-out image of the anchors figure (see {@link ANCHOR_CANDIDATES}). */
export function anchorImageIndex(candidates: DetectionSample[]): number {
  let best = 0;
  candidates.forEach((s, i) => {
    if (s.target.boxes.length > candidates[best].target.boxes.length) best = i;
  });
  return best;
}

async function anchorsPart(ctx: ReportContext, recipe: SyntheticRecipe): Promise<{ html: string; summary: AnchorMatchSummary }> {
  const candidates = heldOutSet({ ...recipe, valImages: ANCHOR_CANDIDATES });
  const index = anchorImageIndex(candidates);
  const sample = candidates[index];
  const { model } = loadFasterRcnn(detectorCheckpoint(ctx.checkpoints, 'faster-rcnn'));
  let summary: AnchorMatchSummary;
  try {
    summary = anchorsAtWork(model, sample, index, recipe.imageSize);
  } finally {
    model.dispose();
  }
  const size = recipe.imageSize, side = SCALE * size, pad = 10;
  const url = await pngDataUrl(sample.sample.image, size, size);
  const gt = sample.target.boxes;
  const gtStyle = () => ({ stroke: '#000', 'stroke-width': 2.5 });
  // anchors figure: negatives (grey dashed), positives coloured by their ground truth, ground truth in black
  const m = 70; // anchors of border cells reach outside the image
  const anchorWidth = side + 2 * m, anchorHeight = side + 2 * m + 24;
  const anchorParts = [rect(0, 0, anchorWidth, anchorHeight, { fill: '#fff' }), image(url, m, m, side, side), rect(m, m, m + side, m + side, { stroke: '#333' })];
  anchorParts.push(...boxRects(pick(summary.anchorBoxes, summary.negativeSample), m, m, () => ({ stroke: '#999999', 'stroke-width': 1, 'stroke-dasharray': '3,2' })));
  anchorParts.push(...boxRects(pick(summary.anchorBoxes, summary.positive), m, m, (k) => ({ stroke: colour(summary.positiveGt[k]), 'stroke-width': 2 })));
  anchorParts.push(...boxRects(gt, m, m, gtStyle));
  anchorParts.push(text(8, anchorHeight - 10, `${summary.positive.length} positive anchors (by GT colour), ${DRAWN_NEGATIVES} negatives (grey)`, { 'font-size': 11 }));
  const anchorsName = ctx.figure('detectors-anchors.svg', svgDoc(anchorWidth, anchorHeight, anchorParts));
  // proposals figure: two panels
  const panelWidth = side + 2 * pad;
  const propParts = [rect(0, 0, 2 * panelWidth, side + 2 * pad + 30, { fill: '#fff' })];
  ([['before NMS', summary.beforeNms], ['after NMS (0.7)', summary.afterNms]] as const).forEach(([label, boxes], p) => {
    const ox = p * panelWidth + pad;
    propParts.push(image(url, ox, pad, side, side));
    propParts.push(...boxRects(boxes, ox, pad, (k) => ({ stroke: '#00FFFF', 'stroke-width': 1.2, 'stroke-opacity': Math.max(0.35, 1 - k / DRAWN_PROPOSALS) })));
    propParts.push(...boxRects(gt, ox, pad, () => ({ stroke: '#000', 'stroke-width': 1.5, 'stroke-dasharray': '5,3' })));
    propParts.push(text(ox, side + pad + 18, `top ${boxes.length >> 2} proposals ${label}`));
  });
  const proposalsName = ctx.figure('detectors-proposals.svg', svgDoc(2 * panelWidth, side + 2 * pad + 30, propParts));
  const html = [
    `<h3>Anchors at work in the RPN</h3>`,
    `<p>Held-out image ${summary.imageIndex} (seed ${recipe.valSeed}, ${gt.length >> 2} objects). The shipped Faster R-CNN's feature map gives `,
    `<strong>${summary.anchors}</strong> anchors; matched to the ground truth by the RPN's matcher (IoU ≥ 0.7, or the best anchor(s) of a ground truth), `,
    `<strong><span id="detectors-positive-anchors">${summary.positive.length}</span></strong> anchors are positive, ${summary.negatives} negative (IoU &lt; 0.3) `,
    `and ${summary.ignored} ignored. Training samples 256 of them per image, at most half positive.</p>`,
    figureHtml(anchorsName, 'Positive anchors (coloured by the ground truth they match), a sample of negatives (grey, dashed) and the ground truth (black).', anchorWidth),
    `<p>At test time the RPN scores every anchor, keeps the ${summary.beforeNmsCount} best, decodes and clips them, then NMS at IoU 0.7 leaves `,
    `${summary.afterNmsCount}. Of the ${DRAWN_PROPOSALS} best proposals, ${summary.duplicatesBefore} overlap a better-ranked one with IoU &gt; 0.7 before NMS `,
    `(near-duplicates) and ${summary.duplicatesAfter} after; they overlap ${summary.coveredBefore} and ${summary.coveredAfter} of the ${gt.length >> 2} objects (IoU ≥ 0.5).</p>`,
    figureHtml(proposalsName, `The ${DRAWN_PROPOSALS} proposals of highest objectness before and after NMS (cyan, fading with rank); ground truth dashed black.`),
  ].join('');
  return { html, summary };
}

/** Labels and scores as SVG text above each box. */
function detectionLabels(d: Detections, keep: number[], ox: number, oy: number): string[] {
  return keep.map((k) => {
    const x = ox + SCALE * d.boxes[4 * k], y = oy + SCALE * d.boxes[4 * k + 1];
    return text(x + 2, Math.max(y - 3, oy + 10), `${SHAPE_CLASSES[d.labels[k] - 1]} ${d.scores[k].toFixed(2)}`, { 'font-size': 11, fill: colour(d.labels[k] - 1), 'font-weight': 'bold' });
  });
}

async function masksPart(ctx: ReportContext, recipe: SyntheticRecipe, samples: DetectionSample[]): Promise<string> {
  const size = recipe.imageSize, side = SCALE * size, pad = 10;
  const faster = loadFasterRcnn(detectorCheckpoint(ctx.checkpoints, 'faster-rcnn')).model;
  const { model: mask, meta: maskMeta } = loadMaskRcnn(detectorCheckpoint(ctx.checkpoints, 'mask-rcnn'));
  let boxes: Detections[], masks: Detections[];
  try {
    const x = imagesToTensor(samples.map((s) => s.sample.image), size, size); // [B, H, W, 3]
    boxes = faster.predict(x);
    masks = mask.predict(x);
    x.dispose();
  } finally {
    faster.dispose();
    mask.dispose();
  }
  const panel = side + 2 * pad;
  const height = samples.length * (panel + 20) + 10;
  const parts = [rect(0, 0, 2 * panel, height, { fill: '#fff' })];
  let shownBoxes = 0, shownMasks = 0;
  for (let i = 0; i < samples.length; i++) {
    const oy = pad + i * (panel + 20);
    const rgb = samples[i].sample.image;
    const b = boxes[i], m = masks[i];
    const keepB = [...b.scores.keys()].filter((k) => b.scores[k] >= DRAW_SCORE_THRESHOLD);
    const keepM = [...m.scores.keys()].filter((k) => m.scores[k] >= DRAW_SCORE_THRESHOLD);
    shownBoxes += keepB.length;
    shownMasks += keepM.length;
    parts.push(image(await pngDataUrl(rgb, size, size), pad, oy, side, side));
    parts.push(...boxRects(pick(b.boxes, keepB), pad, oy, (k) => ({ stroke: colour(b.labels[keepB[k]] - 1), 'stroke-width': 2 })));
    parts.push(...detectionLabels(b, keepB, pad, oy));
    const blended = blendMasks(rgb, keepM.map((k) => m.masks![k]), keepM.map((_, j) => MASK_COLOURS[j % MASK_COLOURS.length]), 0.6);
    parts.push(image(await pngDataUrl(blended, size, size), panel + pad, oy, side, side));
    parts.push(...boxRects(pick(m.boxes, keepM), panel + pad, oy, (k) => ({ stroke: MASK_COLOURS[k % MASK_COLOURS.length], 'stroke-width': 1.5 })));
    parts.push(text(pad, oy + side + 14, `Faster R-CNN: ${keepB.length} boxes`, { 'font-size': 11 }), text(panel + pad, oy + side + 14, `Mask R-CNN: ${keepM.length} instances`, { 'font-size': 11 }));
  }
  const name = ctx.figure('detectors-masks.svg', svgDoc(2 * panel, height, parts));
  return [
    `<h3>Detections and instance masks</h3>`,
    `<p>${samples.length} held-out image${samples.length > 1 ? 's' : ''} (seed ${recipe.valSeed}): left, the shipped Faster R-CNN's boxes with class and score; right, the shipped `,
    `Mask R-CNN's instance masks (each pasted 28×28 mask blended at 60 % over the image) and its boxes. Detections with score ≥ ${DRAW_SCORE_THRESHOLD} are drawn: `,
    `${shownBoxes} boxes and ${shownMasks} masks against ${samples.reduce((s, x) => s + (x.target.boxes.length >> 2), 0)} ground-truth objects.</p>`,
    maskMetricsHtml(maskMeta),
    figureHtml(name, 'Faster R-CNN detections (left) and Mask R-CNN instance masks (right) on held-out synthetic images.'),
  ].join('');
}

/** The held-out scores a Mask R-CNN checkpoint records (`meta.metrics` of `trainOnSynthetic`), as a sentence; empty when it records none. */
function maskMetricsHtml(meta: Record<string, unknown>): string {
  const m = meta.metrics as Record<string, number> | undefined;
  if (!m || typeof m.maskAP !== 'number' || typeof m.mAP !== 'number') return '';
  return `<p>This Mask R-CNN, evaluated by COCOeval on ${m.valImages} held-out images when it was trained: mask AP ${m.maskAP.toFixed(3)} (AP@0.5 ${m.maskAP50.toFixed(3)}), box mAP ${m.mAP.toFixed(3)} (AP@0.5 ${m.mAP50.toFixed(3)}).</p>`;
}

/** Whether every shipped checkpoint the section needs is present. */
function checkpointsPresent(ctx: ReportContext): boolean {
  return (['rcnn', 'fast-rcnn', 'faster-rcnn', 'mask-rcnn', 'faster-rcnn-small'] as const).every((k) => existsSync(detectorCheckpoint(ctx.checkpoints, k)));
}

/** `detectors` section: R-CNN family speed, anchors at work in the RPN, Faster R-CNN boxes and Mask R-CNN masks. */
export async function detectorsSection(ctx: ReportContext): Promise<ReportSection> {
  const title = 'Detectors: R-CNN family, RPN and Mask R-CNN';
  if (!checkpointsPresent(ctx)) {
    return { id: 'detectors', title, html: '<p class="note">A shipped detector checkpoint is missing (<code>assets/checkpoints/detector-*.ckpt</code>): this section is left out.</p>' };
  }
  await initEngine();
  const recipe = DEFAULT_SYNTHETIC_RECIPE;
  const count = ctx.options.quick ? DETECTOR_SECTION_IMAGES.masksQuick : DETECTOR_SECTION_IMAGES.masks;
  const samples = heldOutSet({ ...recipe, valImages: count });
  const speed = await speedPart(ctx, recipe);
  const anchors = await anchorsPart(ctx, recipe);
  const masks = await masksPart(ctx, recipe, samples);
  const intro = `<p>The detectors of the lecture, run from the shipped checkpoints (<code>${escapeXml('assets/checkpoints/detector-*.ckpt')}</code>) when the report is built. Their held-out COCO statistics are in the evaluation section above.</p>`;
  return { id: 'detectors', title, html: intro + speed + anchors.html + masks };
}
