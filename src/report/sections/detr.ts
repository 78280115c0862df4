import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { boxIou } from '../../boxes/iou.js';
import { initEngine } from '../../engine/setup.js';
import { imagesToTensor } from '../../models/detection/images-tensor.js';
import type { Detections } from '../../models/detection/types.js';
import type { DetrNet } from '../../models/detr/detr.js';
import { hungarianMatch } from '../../models/detr/matcher.js';
import { annotateImage } from '../../pipeline/annotate.js';
import { syntheticData } from '../../pipeline/dataset.js';
import { prepareSample } from '../../pipeline/samples.js';
import { checkpointImageSize, loadDetector, shippedCheckpoints } from '../../pipeline/weights.js';
import { heatmapOverlay } from '../../viz/heatmap-overlay.js';
import { htmlTable, linePlot } from '../../viz/plot.js';
import { runLineage } from '../../pipeline/train.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';

/** A query "found" an object when its best real class has at least this probability. */
export const DETR_FOUND_SCORE = 0.5;
/** Held-out images searched for the figure's image (the one with the most objects matched at IoU ≥ 0.5). */
const CANDIDATES = 10;

/** The decoder's view of one image: per query its class probabilities, box and last-layer cross-attention. */
export interface DetrInspection {
  /** `Float32Array [N, C+1]` softmax of the last decoder layer. */
  probabilities: Float32Array;
  /** `Float32Array [N, 4]` (cx, cy, w, h) as fractions of the image. */
  boxes: Float32Array;
  /** `Float32Array [N, h·w]`: the last layer's cross-attention of each query, the mean over the heads. */
  attention: Float32Array;
  featureHeight: number;
  featureWidth: number;
}

/** Runs `net` on one letterboxed image `Uint8Array [S, S, 3]` and keeps what {@link DetrInspection} lists. */
export function inspectDetr(net: DetrNet, image: Uint8Array, imgsz: number): DetrInspection {
  return tf.tidy(() => {
    const out = net.outputs(imagesToTensor([image], imgsz, imgsz), false);
    const last = net.decoderLayers - 1;
    return {
      probabilities: tf.softmax(out.logits[last]).dataSync() as Float32Array,
      boxes: out.boxes[last].dataSync() as Float32Array,
      attention: tf.mean(out.crossAttention[last], 1).dataSync() as Float32Array, // [1, heads, N, h·w] → [1, N, h·w]
      featureHeight: out.featureHeight,
      featureWidth: out.featureWidth,
    };
  });
}

/** Query q's box in pixels (xyxy) of an `imgsz` image. */
function queryBox(inspection: DetrInspection, q: number, imgsz: number): Float32Array {
  const [cx, cy, w, h] = inspection.boxes.subarray(4 * q, 4 * q + 4);
  return Float32Array.of((cx - w / 2) * imgsz, (cy - h / 2) * imgsz, (cx + w / 2) * imgsz, (cy + h / 2) * imgsz);
}

/** Query q's best real class (1-based label) and its probability. */
function queryClass(inspection: DetrInspection, q: number, classes: number): [number, number] {
  let best = 0;
  for (let k = 1; k < classes; k++) if (inspection.probabilities[q * (classes + 1) + k] > inspection.probabilities[q * (classes + 1) + best]) best = k;
  return [best + 1, inspection.probabilities[q * (classes + 1) + best]];
}

/**
 * The held-out mAP after every epoch of the runs behind a checkpoint (`meta.lineage`, then its own
 * `meta.history`; runs that do not record `trainImages` are left out): `seen` the training images seen
 * by then (thousands, counted across the runs), `map50` and `map` per epoch, `seconds` of training in all.
 */
export function trainingCurve(meta: Record<string, unknown>): { runs: number; seen: number[]; map50: number[]; map: number[]; seconds: number } {
  const runs = runLineage(meta, meta.kind as string).filter((run) => run.history.length > 0 && Number.isFinite(Number(run.args?.trainImages)));
  const seen: number[] = [], map50: number[] = [], map: number[] = [];
  let offset = 0, seconds = 0;
  for (const run of runs) {
    const images = Number(run.args?.trainImages);
    for (const h of run.history) {
      seen.push((offset + h.epoch * images) / 1000);
      map50.push(h.mAP50);
      map.push(h.mAP);
      seconds += h.seconds;
    }
    offset += run.history[run.history.length - 1].epoch * images;
  }
  return { runs: runs.length, seen, map50, map, seconds };
}

/**
 * DETR in the report: for a held-out image, the last decoder layer's cross-attention of every query that
 * found an object (the picture of Carion et al.'s figure 6), and the Hungarian matching of the objects to
 * the queries, with each matched query's class, probability and IoU. Without a DETR checkpoint, a line
 * says so.
 */
export async function detrSection(ctx: ReportContext): Promise<ReportSection> {
  await initEngine();
  const shipped = shippedCheckpoints().find((s) => s.family.kind === 'detr');
  const path = ctx.checkpoints.get('detr') ?? shipped?.path;
  const parts: string[] = [
    `<p>DETR (Carion et al. 2020) treats detection as predicting a <em>set</em>: a CNN, a transformer encoder over
its feature map, and a decoder that turns N learned object queries into N (class, box) pairs, "no object" being a
class. Training matches the N predictions to the objects one to one with the Hungarian algorithm (cost −p̂(class) +
5·L1 − 2·GIoU) and needs neither anchors nor NMS. Each query's cross-attention shows where in the image it looked.</p>`,
  ];
  if (path === undefined || !existsSync(path)) {
    parts.push('<p class="note">No DETR checkpoint is available; train one with <code>detseg train detr</code>.</p>');
    return { id: 'detr', title: 'DETR: set prediction', html: parts.join('\n') };
  }
  const detector = loadDetector('detr', path);
  try {
    const net = detector.model as DetrNet;
    const imgsz = checkpointImageSize(detector.meta);
    const classes = detector.classes;
    const val = syntheticData(2, CANDIDATES, imgsz);
    // the held-out image whose objects the matched queries box best (most IoU ≥ 0.5, then the most objects)
    let chosen: { index: number; image: Uint8Array; target: { boxes: Float32Array; labels: Int32Array }; inspection: DetrInspection; match: ReturnType<typeof hungarianMatch>; found: number } | undefined;
    for (let i = 0; i < CANDIDATES; i++) {
      const sample = await prepareSample(val, i, 0, { imgsz });
      const inspection = inspectDetr(net, sample.image, imgsz);
      const [t] = net.setTargets([sample.target], imgsz, imgsz);
      const match = hungarianMatch(inspection.probabilities, inspection.boxes, t);
      let found = 0;
      match.queries.forEach((q, k) => {
        if (boxIou(queryBox(inspection, q, imgsz), sample.target.boxes.subarray(4 * match.objects[k], 4 * match.objects[k] + 4))[0] >= 0.5) found++;
      });
      if (!chosen || found > chosen.found || (found === chosen.found && sample.target.labels.length > chosen.target.labels.length)) chosen = { index: i, image: sample.image, target: sample.target, inspection, match, found };
    }
    const { index, image, target, inspection, match } = chosen!;
    const n = net.queries;
    const hw = inspection.featureHeight * inspection.featureWidth;
    const rows: Array<Array<string | number>> = [];
    for (let j = 0; j < target.labels.length; j++) {
      const k = Array.from(match.objects).indexOf(j);
      const q = match.queries[k];
      const [label, p] = queryClass(inspection, q, net.numClasses);
      const iou = boxIou(queryBox(inspection, q, imgsz), target.boxes.subarray(4 * j, 4 * j + 4))[0];
      rows.push([`${j + 1}: ${classes[target.labels[j] - 1]}`, q, `${classes[label - 1]} ${p.toFixed(2)}`, iou.toFixed(2)]);
    }
    const found: number[] = [];
    for (let q = 0; q < n; q++) if (queryClass(inspection, q, net.numClasses)[1] >= DETR_FOUND_SCORE) found.push(q);
    found.sort((a, b) => queryClass(inspection, b, net.numClasses)[1] - queryClass(inspection, a, net.numClasses)[1]);
    const all: Detections = { boxes: new Float32Array(4 * found.length), labels: new Int32Array(found.length), scores: new Float32Array(found.length) };
    found.forEach((q, k) => {
      all.boxes.set(queryBox(inspection, q, imgsz), 4 * k);
      [all.labels[k], all.scores[k]] = queryClass(inspection, q, net.numClasses);
    });
    const rgb = { data: image, width: imgsz, height: imgsz };
    const figures = [figureHtml(ctx.figure('detr-detections.png', await annotateImage(rgb, all, classes)), `held-out image ${index}: the ${found.length} queries with p(class) ≥ ${DETR_FOUND_SCORE}`, 2 * imgsz)];
    for (const [k, q] of found.entries()) {
      const map = inspection.attention.subarray(q * hw, (q + 1) * hw);
      const overlay = { data: heatmapOverlay(image, imgsz, imgsz, map, inspection.featureHeight, inspection.featureWidth), width: imgsz, height: imgsz };
      const one: Detections = { boxes: all.boxes.slice(4 * k, 4 * k + 4), labels: all.labels.slice(k, k + 1), scores: all.scores.slice(k, k + 1) };
      figures.push(figureHtml(ctx.figure(`detr-attention-q${q}.png`, await annotateImage(overlay, one, classes)), `query ${q}: ${classes[one.labels[0] - 1]} ${one.scores[0].toFixed(2)}`, 2 * imgsz));
    }
    const metrics = detector.meta.metrics as { mAP?: number; mAP50?: number } | undefined;
    parts.push(
      `<p>The ${shipped && path === shipped.path ? 'shipped' : 'retrained'} model (${net.queries} queries, d = ${net.d}, ${net.encoderLayers} encoder and ${net.decoderLayers} decoder layers${net.options.anchorPoints ? ', anchor points' : ''}${net.options.twoStage ? ', two-stage queries: the encoder cells most sure of an object become the queries' : ''}${net.options.proposalNms !== undefined ? `, a cell overlapping a better one by IoU > ${net.options.proposalNms} chosen last` : ''}${net.options.pairDetections ? ', every query-class pair a detection' : ''})` +
        `${metrics?.mAP !== undefined ? `: held-out COCO mAP ${metrics.mAP.toFixed(3)}, mAP@0.5 ${(metrics.mAP50 ?? NaN).toFixed(3)}` : ''}. ` +
        `Below, held-out image ${index}: every query that found an object and, for each, the last decoder layer's cross-attention over the ` +
        `${inspection.featureWidth}×${inspection.featureHeight} feature map (mean of the ${net.heads} heads; brighter = more attention), with its box.</p>`,
      figures.join('\n'),
      `<p>The Hungarian matching of this image's ${target.labels.length} objects to the queries (the assignment training would use):</p>`,
      htmlTable(['object', 'matched query', 'query predicts', 'IoU'], rows),
    );
    // the training curve of the runs the checkpoint comes from, one point per epoch
    const { runs, seen, map50, map, seconds } = trainingCurve(detector.meta);
    if (runs > 0) {
      const curve = linePlot(
        [
          { label: 'mAP@0.5', xs: seen, ys: map50 },
          { label: 'mAP@[.5:.95]', xs: seen, ys: map },
        ],
        { title: 'DETR held-out mAP during training', xLabel: 'training images seen (thousands)', yLabel: 'COCO AP', yRange: [0, 1], width: 480 },
      );
      const caption = runs > 1 ? `each epoch of the ${runs} runs behind this checkpoint, each from the previous one's weights` : 'each epoch of its run';
      parts.push(figureHtml(ctx.figure('detr-training.svg', curve), `The held-out (200 images) mAP after ${caption}; ${(seconds / 3600).toFixed(1)} h of training in all (the epochs' recorded times).`));
    }
  } finally {
    detector.dispose();
  }
  return { id: 'detr', title: 'DETR: set prediction', html: parts.join('\n') };
}
