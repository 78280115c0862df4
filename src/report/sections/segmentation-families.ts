import { existsSync, readFileSync } from 'node:fs';
import { encodePng } from '../../data/images.js';
import { loadSunnybrook } from '../../data/sunnybrook.js';
import { loadCheckpoint } from '../../engine/checkpoint.js';
import { initEngine } from '../../engine/setup.js';
import { sunnybrookLabelDataset, syntheticLabelDataset, type LabelSample } from '../../models/segmentation-data.js';
import { segmentationKinds, segmentationModelFromCheckpoint } from '../../models/segmentation-registry.js';
import { evaluateSegmentation, predictLabelMaps } from '../../models/segmentation-train.js';
import { assetsDir } from '../../util/paths.js';
import { htmlTable } from '../../viz/plot.js';
import { colour, image, rgbOf, svgDoc, text } from '../../viz/svg.js';
import { figureHtml, type ReportContext, type ReportSection } from '../report.js';

/** Held-out synthetic images scored per model (full report / `--quick`). */
export const SEGMENTATION_FAMILY_IMAGES = { full: 200, quick: 8 };
/** Held-out synthetic images drawn in the figure. */
const FIGURE_IMAGES = 3;

/** What `scripts/train-segmentation.ts` recorded per model (`assets/segmentation/results.json`). */
export interface SegmentationResults {
  /** Per kind: the commands of its cycles (each from the previous one's weights) and the final held-out scores. */
  synthetic: Record<string, { commands: string[]; meanIou: number; trainSeconds: number }>;
  /** Per kind: the command of its 5 folds, the mean Dice and each fold's. */
  lv: Record<string, { command: string; meanDice: number; folds: Array<{ fold: number; patient: string; dice: number }> }>;
}

/** The shipped checkpoint of `kind` on the synthetic shapes, and of `kind` on LV fold `fold`. */
export function segmentationCheckpointPath(kind: string, fold?: number): string {
  return assetsDir('checkpoints', fold === undefined ? `segmentation-${kind}.ckpt` : `segmentation-${kind}-lv-fold${fold}.ckpt`);
}

/**
 * A label map `Uint8Array [H, W]` painted over its image: class k > 0 in the palette colour k − 1 at
 * ⅔ opacity, background shows the image. Grey images (`channels` 1) are spread to RGB.
 * @returns `Uint8Array [H, W, 3]`
 */
export function paintLabels(sample: Pick<LabelSample, 'image' | 'height' | 'width' | 'channels'>, labels: Uint8Array | undefined): Uint8Array {
  const n = sample.height * sample.width;
  const out = new Uint8Array(3 * n);
  for (let p = 0; p < n; p++) {
    const label = labels?.[p] ?? 0;
    const c = label > 0 ? rgbOf(colour(label - 1)) : undefined;
    for (let k = 0; k < 3; k++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, sample.image[p * sample.channels + (sample.channels === 1 ? 0 : k)])));
      out[3 * p + k] = c ? Math.round(v / 3 + (2 * c[k]) / 3) : v;
    }
  }
  return out;
}

/**
 * The segmentation families side by side (U-Net, FCN, DeepLabv3+, SegFormer): one table — parameters,
 * held-out mean IoU on the synthetic shapes (scored here from the shipped checkpoints), Dice on the
 * Sunnybrook LV (the mean over the 5 patient folds recorded by `scripts/train-segmentation.ts` and, for
 * the U-Net, by the LV practical), milliseconds per 128² image — and one figure of their label maps on
 * held-out synthetic images and an LV slice.
 */
export async function segmentationFamiliesSection(ctx: ReportContext): Promise<ReportSection> {
  await initEngine();
  const resultsFile = assetsDir('segmentation', 'results.json');
  const recorded: SegmentationResults = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as SegmentationResults) : { synthetic: {}, lv: {} };
  const count = ctx.options.quick ? SEGMENTATION_FAMILY_IMAGES.quick : SEGMENTATION_FAMILY_IMAGES.full;
  const held = syntheticLabelDataset(2, count);
  const indices = held.samples.map((_, i) => i);
  const sunnybrook = loadSunnybrook();
  const lvFold = 0;
  const lvSet = sunnybrookLabelDataset(sunnybrook, 96, 0);
  const lvIndices = lvSet.samples.flatMap((s, i) => (s.group === sunnybrook.patients[lvFold] ? [i] : []));
  const lvSlice = lvIndices[Math.floor(lvIndices.length / 2)];
  const rows: Array<Array<string | number>> = [];
  const columns: Array<{ title: string; synthetic: Uint8Array[]; lv?: Uint8Array }> = [];
  for (const kind of segmentationKinds()) {
    const path = ctx.checkpoints.get(`segmentation-${kind}`) ?? segmentationCheckpointPath(kind);
    if (!existsSync(path)) continue;
    const loaded = segmentationModelFromCheckpoint(loadCheckpoint(path), path);
    const multiple = loaded.family.multiple(loaded.meta.options);
    let evaluation;
    let maps: Uint8Array[];
    try {
      evaluation = evaluateSegmentation(loaded.model, held.samples, indices, held.classNames.length, multiple);
      maps = predictLabelMaps(loaded.model, held.samples.slice(0, FIGURE_IMAGES), multiple);
      rows.push([kind, loaded.model.countParams().toLocaleString('en-US'), evaluation.metrics.meanIou, ...evaluation.metrics.iou.slice(1), recorded.lv[kind]?.meanDice ?? '–', evaluation.msPerImage.toFixed(1)]);
    } finally {
      loaded.model.dispose();
    }
    let lv: Uint8Array | undefined;
    const lvPath = ctx.checkpoints.get(`segmentation-${kind}-lv-fold${lvFold}`) ?? segmentationCheckpointPath(kind, lvFold);
    if (existsSync(lvPath)) {
      const lvModel = segmentationModelFromCheckpoint(loadCheckpoint(lvPath), lvPath);
      try {
        [lv] = predictLabelMaps(lvModel.model, [lvSet.samples[lvSlice]], lvModel.family.multiple(lvModel.meta.options));
      } finally {
        lvModel.model.dispose();
      }
    }
    columns.push({ title: kind, synthetic: maps, lv });
  }
  const parts: string[] = [
    `<p>The lecture's three families of segmentation models, trained here from scratch on the same data: fully convolutional
(<strong>FCN</strong>, its up-sampling a transposed convolution; <strong>U-Net</strong>, with skip connections; <strong>DeepLabv3+</strong>,
atrous convolutions and atrous spatial pyramid pooling at output stride 8 with a light decoder), transformer-based
(<strong>SegFormer</strong>: overlapping patch embeddings, attention with sequence reduction, Mix-FFN and an all-MLP decoder) and
region-based (Mask R-CNN, in the detection sections). Synthetic shapes: 4 classes (background, circle, square, triangle), trained on
images of seed 1 and scored on ${count} held-out images of seed 2 (mean IoU over the classes, pooled over the images). LV: 2 classes,
5 folds by patient with the practical's input window, Dice of the LV pooled over the held-out patient's slices, the mean over the 5 patients.</p>`,
  ];
  if (rows.length === 0) {
    parts.push('<p class="note">No segmentation checkpoints are available (scripts/train-segmentation.ts makes them).</p>');
    return { id: 'segmentation-families', title: 'Segmentation families: FCN, U-Net, DeepLab, SegFormer', html: parts.join('\n') };
  }
  parts.push(
    htmlTable(['model', 'parameters', 'mIoU (synthetic)', 'IoU circle', 'IoU square', 'IoU triangle', 'Dice (LV, 5 folds)', 'ms / image (128²)'], rows, 3),
    `<p class="note">ms / image: the forward pass and arg-max of one 128² image, measured in this run. LV Dice: recorded when the folds were trained
(${Object.values(recorded.lv).map((r) => `<code>${r.command}</code>`).join('; ')}); synthetic training:
${Object.values(recorded.synthetic).map((r) => r.commands.map((c) => `<code>${c}</code>`).join(', then ')).join('; ')}.</p>`,
  );
  // the figure: rows = held-out images (+ the LV slice), columns = image, truth, each model
  const cell = 128, gap = 6, top = 20;
  const titles = ['image', 'ground truth', ...columns.map((c) => c.title)];
  const panels: string[] = titles.map((t, j) => text(j * (cell + gap) + cell / 2, 14, t, { 'text-anchor': 'middle', 'font-size': 12 }));
  const addRow = async (r: number, sample: LabelSample, maps: Array<Uint8Array | undefined>, name: string) => {
    const cells = [paintLabels(sample, undefined), paintLabels(sample, sample.labels), ...maps.map((m) => (m ? paintLabels(sample, m) : undefined))];
    for (const [j, pixels] of cells.entries()) {
      if (!pixels) continue;
      const file = ctx.figure(`${name}-${j}.png`, await encodePng({ data: pixels, width: sample.width, height: sample.height }));
      panels.push(image(file, j * (cell + gap), top + r * (cell + gap), cell, cell));
    }
  };
  for (let i = 0; i < FIGURE_IMAGES; i++) await addRow(i, held.samples[i], columns.map((c) => c.synthetic[i]), `segmentation-families-${i}`);
  const hasLv = columns.some((c) => c.lv);
  if (hasLv) await addRow(FIGURE_IMAGES, lvSet.samples[lvSlice], columns.map((c) => c.lv), 'segmentation-families-lv');
  const rowsDrawn = FIGURE_IMAGES + (hasLv ? 1 : 0);
  const svg = svgDoc(titles.length * (cell + gap), top + rowsDrawn * (cell + gap), panels);
  parts.push(
    figureHtml(
      ctx.figure('segmentation-families.svg', svg),
      `Held-out synthetic images: the truth and each model's label map (circle, square, triangle in the palette's first three colours)${hasLv ? `; last row: a slice of held-out patient ${sunnybrook.patients[lvFold]} (fold ${lvFold}, centre 96×96 crop) and the LV found by the models whose fold-${lvFold} checkpoint ships` : ''}.`,
    ),
  );
  return { id: 'segmentation-families', title: 'Segmentation families: FCN, U-Net, DeepLab, SegFormer', html: parts.join('\n') };
}
