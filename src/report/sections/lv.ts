import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { loadSunnybrook, type SunnybrookData } from '../../data/sunnybrook.js';
import { centreCropOrigin } from '../../data/crop.js';
import {
  DEFAULT_LV_CONFIG,
  evaluateLvFold,
  loadLvCheckpoint,
  lvCheckpointPath,
  lvInputImage,
  meanOverPatients,
  trainFold,
  type LvConfig,
  type LvFoldResult,
} from '../../models/unet/lv.js';
import type { EpochRecord } from '../../engine/train.js';
import { DetsegInputError } from '../../util/errors.js';
import { htmlTable, linePlot } from '../../viz/plot.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';
import { colour, escapeXml, fmt, image, polygon, rect, svgDoc, text } from '../../viz/svg.js';
import { upsamplingExamples, upsamplingFigure } from './upsampling-figure.js';

/** The tiny configuration of `--quick --retrain` (a smoke test, not a result). */
const QUICK_CONFIG: LvConfig = { ...DEFAULT_LV_CONFIG, crop: 64, baseWidth: 4, depth: 2, epochs: 2, batchSize: 8 };

/**
 * SVG path `d` of the outline of a binary mask inside a window: the pixel edges between a mask pixel
 * and a non-mask pixel (or the window border), one unit segment each, in window pixel units where
 * pixel (row r, column c) of the window covers [c, c+1] × [r, r+1].
 *
 * @param mask `Uint8Array [H, W]` of the full image
 * @param width W
 * @param row0 top row of the window; @param col0 left column; @param size window side
 */
export function maskOutlinePath(mask: Uint8Array, width: number, row0: number, col0: number, size: number): string {
  const parts: string[] = [];
  const at = (r: number, c: number) => (r >= 0 && r < size && c >= 0 && c < size ? mask[(row0 + r) * width + col0 + c] : 0);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (!at(r, c)) continue;
      if (!at(r - 1, c)) parts.push(`M${c} ${r}h1`);
      if (!at(r + 1, c)) parts.push(`M${c} ${r + 1}h1`);
      if (!at(r, c - 1)) parts.push(`M${c} ${r}v1`);
      if (!at(r, c + 1)) parts.push(`M${c + 1} ${r}v1`);
    }
  }
  return parts.join('');
}

/** The centre crop of a slice as the network sees it ({@link lvInputImage}), as a greyscale PNG data URL. */
async function cropPngDataUrl(data: SunnybrookData, index: number, size: number): Promise<string> {
  const s = data.slices[index];
  const [r0, c0] = centreCropOrigin(s.height, s.width, size);
  const input = lvInputImage(s, size);
  const grey = new Uint8Array(size * size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) grey[r * size + c] = Math.round(255 * input[(r0 + r) * s.width + c0 + c]);
  const png = await sharp(Buffer.from(grey), { raw: { width: size, height: size, channels: 1 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/**
 * A grid of held-out slices, one row per fold: the MRI crop with the expert's i-contour (green) and the
 * outline of the U-Net's prediction (orange). Columns are the slices of lowest, median and highest Dice.
 */
async function overlayFigure(data: SunnybrookData, results: LvFoldResult[], crop: number): Promise<string> {
  const scale = 192 / crop;
  const panel = crop * scale;
  const gap = 8;
  const top = 18;
  const left = 96;
  const cols = 3;
  const width = left + cols * (panel + gap);
  const height = results.length * (panel + top + gap) + 24;
  const out: string[] = [rect(0, 0, width, height, { fill: '#fff' })];
  out.push(text(gap, 15, 'green: expert i-contour    orange: U-Net prediction (held-out patient)', { fill: '#333' }));
  for (let row = 0; row < results.length; row++) {
    const res = results[row];
    const order = Array.from(res.sliceDice.keys()).sort((a, b) => res.sliceDice[a] - res.sliceDice[b]);
    const picks = [order[0], order[order.length >> 1], order[order.length - 1]];
    const rowY = 24 + row * (panel + top + gap);
    out.push(text(gap, rowY + top + 14, `fold ${res.fold}`, { 'font-weight': 'bold' }));
    out.push(text(gap, rowY + top + 30, res.testPatient, { 'font-size': 11 }));
    out.push(text(gap, rowY + top + 46, `Dice ${res.dice.toFixed(3)}`, { 'font-size': 11 }));
    for (let col = 0; col < cols; col++) {
      const k = picks[col];
      const index = res.sliceIndices[k];
      const s = data.slices[index];
      const [r0, c0] = centreCropOrigin(s.height, s.width, crop);
      const x = left + col * (panel + gap);
      const y = rowY;
      out.push(text(x, y + 13, `image ${s.imageNumber}: Dice ${res.sliceDice[k].toFixed(3)}`, { 'font-size': 11 }));
      const xs = new Float64Array(s.contour.length / 2);
      const ys = new Float64Array(s.contour.length / 2);
      // contour points are in image pixels with integer = pixel centre; the window's pixel (0,0) spans [0,1]²
      for (let i = 0; i < xs.length; i++) {
        xs[i] = s.contour[2 * i] - c0 + 0.5;
        ys[i] = s.contour[2 * i + 1] - r0 + 0.5;
      }
      const nonScaling = { 'vector-effect': 'non-scaling-stroke', fill: 'none', 'stroke-width': 1.5 };
      out.push(
        `<g transform="translate(${fmt(x)} ${fmt(y + top)}) scale(${scale})">` +
          image(await cropPngDataUrl(data, index, crop), 0, 0, crop, crop) +
          polygon(xs, ys, { stroke: colour(2), ...nonScaling }) +
          `<path d="${escapeXml(maskOutlinePath(res.predictions[k], s.width, r0, c0, crop))}" stroke="${colour(1)}" fill="none" stroke-width="1.5" vector-effect="non-scaling-stroke"/>` +
          '</g>',
      );
    }
  }
  return svgDoc(width, height, out);
}

/** Per fold: its result, its training history, and how long training took (from the checkpoint or this run). */
interface FoldRun {
  result: LvFoldResult;
  history: EpochRecord[];
  trainSeconds: number;
}

/**
 * The LV-segmentation practical: U-Nets trained on 4 Sunnybrook patients segment the 5th, for each of
 * the 5 folds. Loads the shipped checkpoints (`assets/checkpoints/unet-lv-fold<k>.ckpt`), or trains
 * them again with `ctx.options.retrain` (`--quick --retrain`: a tiny 2-epoch configuration on fold 0;
 * `--quick` alone: fold 0 from its checkpoint). Shows overlays, the per-patient Dice table with the
 * mean, and the training curves.
 */
export async function lvSection(ctx: ReportContext): Promise<ReportSection> {
  const log = ctx.options.log;
  const data = loadSunnybrook();
  const folds = ctx.options.quick ? [0] : data.patients.map((_, k) => k);
  let config: LvConfig = ctx.options.retrain && ctx.options.quick ? QUICK_CONFIG : DEFAULT_LV_CONFIG;
  const runs: FoldRun[] = [];
  const t0 = performance.now();
  for (const fold of folds) {
    if (ctx.options.retrain) {
      const trained = await trainFold(data, fold, config);
      log(`lv: fold ${fold} trained in ${trained.trainSeconds.toFixed(0)} s`);
      runs.push({ result: await evaluateLvFold(trained.model, data, fold, config), history: trained.history, trainSeconds: trained.trainSeconds });
      trained.model.dispose();
    } else {
      const path = lvCheckpointPath(fold);
      if (!existsSync(path)) throw new DetsegInputError('shipped LV checkpoint missing (run scripts/train-lv.ts, or use --retrain)', { file: path });
      const { meta, model } = await loadLvCheckpoint(path);
      config = meta.lvConfig;
      runs.push({ result: await evaluateLvFold(model, data, fold, config), history: meta.history, trainSeconds: meta.trainSeconds });
      model.dispose();
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const results = runs.map((r) => r.result);
  const mean = meanOverPatients(results);

  const rows: (string | number)[][] = runs.map(({ result: r, trainSeconds }) => {
    const sliceMean = r.sliceDice.reduce((a, b) => a + b, 0) / r.sliceDice.length;
    return [r.fold, r.testPatient, r.sliceIndices.length, r.dice, r.iou, r.pixelAccuracy, sliceMean, Math.round(trainSeconds)];
  });
  rows.push(['mean', `${results.length} patient${results.length > 1 ? 's' : ''}`, results.reduce((s, r) => s + r.sliceIndices.length, 0), mean.dice, mean.iou, mean.pixelAccuracy, '', '']);
  const table = htmlTable(['fold', 'held-out patient', 'slices', 'Dice', 'IoU', 'pixel accuracy', 'mean slice Dice', 'training s'], rows, 4);

  const overlays = ctx.figure('lv-overlays.svg', await overlayFigure(data, results, config.crop));
  const curves = ctx.figure(
    'lv-training.svg',
    linePlot(
      runs.map((r) => ({ label: `fold ${r.result.fold} (${r.result.testPatient})`, xs: r.history.map((h) => h.epoch + 1), ys: r.history.map((h) => h.loss) })),
      { title: 'U-Net training loss (cross-entropy + soft Dice)', xLabel: 'epoch', yLabel: 'loss', width: 520 },
    ),
  );
  const upsampling = ctx.figure('upsampling.svg', upsamplingFigure(await upsamplingExamples()));
  const c = config;
  const html = [
    `<p>Left-ventricle (blood pool) segmentation in short-axis cine MRI: ${data.slices.length} slices of ${data.patients.length} heart-failure patients of the Sunnybrook Cardiac Data (CC0), ` +
      'each with the expert\'s inner contour, rasterized to a mask (a pixel belongs to the LV when its centre is inside the contour). ' +
      'A U-Net is trained on 4 patients and tested on the 5th; the folds rotate the held-out patient (a split by patient, never by slice).</p>',
    `<p>Configuration: centre crop ${c.crop}×${c.crop} (every contour lies inside it), U-Net depth ${c.depth}, base width ${c.baseWidth}; ` +
      `${c.epochs} epochs of batch ${c.batchSize}, Adam ${c.learningRate} with cosine decay to ${c.minLearningRate}, loss sigmoid cross-entropy + soft Dice; ` +
      `augmentation: random shifts of the crop window up to ±${c.maxShift} px${c.flip ? ' and left–right flips' : ''}. ` +
      `Training times are single-thread TF.js-wasm on a 2-core machine, two folds at a time. ${ctx.options.retrain ? 'Trained in this run.' : 'Loaded from the shipped checkpoints'}; ` +
      `predicting and scoring took ${seconds.toFixed(1)} s${ctx.options.retrain ? ' including training' : ''}.</p>`,
    '<p>Dice, IoU and pixel accuracy come from the pixel confusion matrix of each held-out patient, accumulated over all its slices at full 256×256 resolution ' +
      '(pixel accuracy therefore counts the whole frame, mostly easy background); the last row is the mean over patients. "Mean slice Dice" averages the Dice of single slices.</p>',
    table,
    figureHtml(overlays, 'Held-out slices of each patient (lowest, median and highest Dice): expert i-contour (green) and predicted LV outline (orange).'),
    figureHtml(curves, 'Training loss per epoch of each fold.'),
    '<p>The U-Net\'s decoder brings low-resolution features back to pixels with transposed convolutions. Unpooling does the same with a fixed pattern ' +
      'and no weights: nearest neighbour copies each value into its block, "bed of nails" puts it in one corner, and max-unpooling puts it where the matching max-pool ' +
      'found its maximum (SegNet). The numbers below are computed by detseg\'s ops.</p>',
    figureHtml(upsampling, 'Up-sampling ×2 by unpooling (nearest neighbour, bed of nails, max-unpooling with the pool\'s switches) and the transposed convolution 2×2 → 3×3.'),
  ].join('\n');
  return { id: 'lv-segmentation', title: 'Cardiac MRI: LV segmentation with a U-Net', html };
}
