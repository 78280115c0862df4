import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSunnybrook, type SunnybrookData } from '../data/sunnybrook.js';
import { loadCheckpoint, saveCheckpoint } from '../engine/checkpoint.js';
import { sunnybrookLabelDataset, syntheticLabelDataset, type LabelDataset } from '../models/segmentation-data.js';
import { segmentationFamily, type SegmentationOptions } from '../models/segmentation-registry.js';
import { evaluateSegmentation, trainSegmentation } from '../models/segmentation-train.js';

/**
 * The segmentation families' benchmark trainings (`scripts/train-segmentation.ts`, the report's
 * segmentation-families section, `detseg practical --retrain`):
 *
 * - synthetic shapes: 4 classes, training images 0 … n−1 of seed 1, 128² crops shifted by up to 16 px and
 *   flipped; scored on images 0 … 199 of seed 2 (the detectors' held-out set), mean IoU pooled over them;
 * - Sunnybrook LV: 2 classes, the LV practical's input (centre 96×96 window, re-windowed on it), shifts
 *   of up to 12 px, flips and gamma, 5 folds by patient; the Dice of the LV pooled over the held-out
 *   patient's slices, as the practical scores its U-Net.
 */

/** One training on the synthetic shapes. */
export interface SyntheticSegmentationRun {
  kind: string;
  options?: SegmentationOptions;
  trainImages: number;
  epochs: number;
  batchSize?: number;
  learningRate: number;
  minLearningRate?: number;
  seed?: number;
  /** Start from this checkpoint's weights (a further cycle). */
  init?: string;
  /** Engine checkpoint rewritten after every epoch. */
  checkpoint: string;
  resume?: boolean;
  /** Held-out images scored after every epoch and at the end (default 200). */
  heldOutImages?: number;
  log?: (line: string) => void;
}

/** What a synthetic run measured. */
export interface SyntheticSegmentationResult {
  kind: string;
  options: SegmentationOptions;
  trainImages: number;
  epochs: number;
  learningRate: number;
  parameters: number;
  trainSeconds: number;
  heldOutImages: number;
  meanIou: number;
  /** IoU per class name. */
  iou: Record<string, number>;
  pixelAccuracy: number;
  msPerImage: number;
}

/** Trains `kind` on the synthetic shapes and scores it on the held-out images. */
export async function trainSyntheticSegmentation(run: SyntheticSegmentationRun): Promise<SyntheticSegmentationResult> {
  const options = run.options ?? {};
  const family = segmentationFamily(run.kind);
  const train = syntheticLabelDataset(1, run.trainImages);
  const held = syntheticLabelDataset(2, run.heldOutImages ?? 200);
  const data: LabelDataset = { samples: [...train.samples, ...held.samples], classNames: train.classNames };
  const trainIndices = train.samples.map((_, i) => i);
  const valIndices = held.samples.map((_, i) => run.trainImages + i);
  const t0 = performance.now();
  const { model } = await trainSegmentation({
    kind: run.kind, options, data, trainIndices, valIndices, crop: 128, maxShift: 16, epochs: run.epochs, batchSize: run.batchSize ?? 8,
    learningRate: run.learningRate, minLearningRate: run.minLearningRate, seed: run.seed ?? 0, checkpoint: run.checkpoint, resume: run.resume, init: run.init, log: run.log, progress: false,
  });
  try {
    const trainSeconds = Math.round((performance.now() - t0) / 1000);
    const evaluation = evaluateSegmentation(model, data.samples, valIndices, data.classNames.length, family.multiple(options));
    return {
      kind: run.kind, options, trainImages: run.trainImages, epochs: run.epochs, learningRate: run.learningRate, parameters: model.countParams(), trainSeconds, heldOutImages: valIndices.length,
      meanIou: evaluation.metrics.meanIou, iou: Object.fromEntries(data.classNames.map((c, i) => [c, evaluation.metrics.iou[i]])),
      pixelAccuracy: evaluation.metrics.pixelAccuracy, msPerImage: evaluation.msPerImage,
    };
  } finally {
    model.dispose();
  }
}

/** The LV trainings of one kind. */
export interface LvSegmentationRun {
  kind: string;
  options?: SegmentationOptions;
  folds: number[];
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  minLearningRate?: number;
  seed?: number;
  /** Checkpoint of fold k: `checkpoint(k)`. */
  checkpoint: (fold: number) => string;
  resume?: boolean;
  data?: SunnybrookData;
  log?: (line: string) => void;
}

/** One held-out patient's scores. */
export interface LvFoldScore {
  fold: number;
  patient: string;
  dice: number;
  iou: number;
  pixelAccuracy: number;
  msPerImage: number;
  trainSeconds: number;
}

/** Trains `kind` on 4 patients and scores the 5th, for each of `folds` (defaults: 50 epochs of batch 4, Adam 2e-3 → 1e-4). */
export async function trainLvSegmentation(run: LvSegmentationRun): Promise<LvFoldScore[]> {
  const options = run.options ?? {};
  const family = segmentationFamily(run.kind);
  const sunnybrook = run.data ?? loadSunnybrook();
  const crop = 96;
  const trainSet = sunnybrookLabelDataset(sunnybrook, crop, 12);
  const testSet = sunnybrookLabelDataset(sunnybrook, crop, 0);
  const scores: LvFoldScore[] = [];
  for (const fold of run.folds) {
    const patient = sunnybrook.patients[fold];
    const trainIndices = trainSet.samples.flatMap((s, i) => (s.group === patient ? [] : [i]));
    const testIndices = testSet.samples.flatMap((s, i) => (s.group === patient ? [i] : []));
    const t0 = performance.now();
    const { model } = await trainSegmentation({
      kind: run.kind, options, data: trainSet, trainIndices, crop, maxShift: 12, gammaJitter: 0.4, epochs: run.epochs ?? 50, batchSize: run.batchSize ?? 4,
      learningRate: run.learningRate ?? 2e-3, minLearningRate: run.minLearningRate ?? 1e-4, seed: (run.seed ?? 0) + fold, checkpoint: run.checkpoint(fold), resume: run.resume, log: run.log, progress: false,
    });
    try {
      const trainSeconds = Math.round((performance.now() - t0) / 1000);
      const evaluation = evaluateSegmentation(model, testSet.samples, testIndices, 2, family.multiple(options));
      scores.push({ fold, patient, dice: evaluation.metrics.dice[1], iou: evaluation.metrics.iou[1], pixelAccuracy: evaluation.metrics.pixelAccuracy, msPerImage: evaluation.msPerImage, trainSeconds });
    } finally {
      model.dispose();
    }
  }
  return scores;
}

/** A shipped model's recipe: its options and its synthetic cycles (each from the previous one's weights). */
export interface ShippedSegmentation {
  kind: string;
  options: SegmentationOptions;
  cycles: Array<{ trainImages: number; epochs: number; learningRate: number }>;
  /** The LV fold whose checkpoint ships (for the report's figure), when one does. */
  lvFold?: number;
}

/**
 * The shipped segmentation checkpoints (`assets/checkpoints/segmentation-<kind>.ckpt`, and
 * `segmentation-<kind>-lv-fold<k>.ckpt`) and the trainings that made them, e.g. for DeepLab (the shipped
 * file is the last cycle's checkpoint without its optimizer slots; `assets/segmentation/results.json`
 * lists every model's commands):
 *
 *     node --import tsx scripts/train-segmentation.ts --kind deeplab --task synthetic --train-images 2000 --epochs 10
 *     node --import tsx scripts/train-segmentation.ts --kind deeplab --task synthetic --train-images 2000 --epochs 8 --lr 1e-3 \
 *       --init tmp/segmentation/deeplab-synthetic.ckpt --name deeplab-synthetic-2
 *     node --import tsx scripts/train-segmentation.ts --kind deeplab --task synthetic --train-images 2000 --epochs 6 --lr 5e-4 \
 *       --init tmp/segmentation/deeplab-synthetic-2.ckpt --name deeplab-synthetic-3
 *     node --import tsx scripts/train-segmentation.ts --kind deeplab --task lv --folds 0,1,2,3,4
 */
export const SHIPPED_SEGMENTATION: ShippedSegmentation[] = [
  { kind: 'unet', options: { baseWidth: 8 }, cycles: [{ trainImages: 2000, epochs: 10, learningRate: 2e-3 }, { trainImages: 2000, epochs: 8, learningRate: 1e-3 }, { trainImages: 2000, epochs: 6, learningRate: 5e-4 }] },
  { kind: 'fcn', options: {}, cycles: [{ trainImages: 2000, epochs: 5, learningRate: 2e-3 }] },
  {
    kind: 'deeplab',
    options: {},
    cycles: [
      { trainImages: 2000, epochs: 10, learningRate: 2e-3 },
      { trainImages: 2000, epochs: 8, learningRate: 1e-3 },
      { trainImages: 2000, epochs: 6, learningRate: 5e-4 },
      { trainImages: 8000, epochs: 1, learningRate: 5e-4 },
      { trainImages: 12000, epochs: 1, learningRate: 3e-4 },
      { trainImages: 12000, epochs: 1, learningRate: 2e-4 },
    ],
    lvFold: 0,
  },
  {
    kind: 'segformer',
    options: {},
    cycles: [
      { trainImages: 2000, epochs: 10, learningRate: 2e-3 },
      { trainImages: 2000, epochs: 8, learningRate: 1e-3 },
      { trainImages: 12000, epochs: 1, learningRate: 1e-3 },
      { trainImages: 12000, epochs: 1, learningRate: 7e-4 },
      { trainImages: 12000, epochs: 1, learningRate: 5e-4 },
      { trainImages: 12000, epochs: 1, learningRate: 3e-4 },
      { trainImages: 12000, epochs: 1, learningRate: 3e-4 },
      { trainImages: 12000, epochs: 1, learningRate: 2e-4 },
    ],
    lvFold: 0,
  },
];

/** Writes `src`'s weights and meta without the optimizer's slots (a third of the size) to `dst`. */
export function stripOptimizer(src: string, dst: string): void {
  const ckpt = loadCheckpoint(src);
  saveCheckpoint(dst, { ...ckpt, optimizer: [], optimizerName: 'none', meta: { ...ckpt.meta, init: null } });
}

/**
 * Trains every {@link SHIPPED_SEGMENTATION} model from scratch into `dir` (`quick`: 4 images, 1 epoch
 * per cycle, 1 epoch of fold 0) and returns the checkpoints by name (`segmentation-<kind>`,
 * `segmentation-<kind>-lv-fold<k>`), as the report's section looks them up.
 */
export async function trainShippedSegmentation(dir: string, options: { quick?: boolean; log?: (line: string) => void } = {}): Promise<Record<string, string>> {
  const quick = options.quick ?? false;
  mkdirSync(dir, { recursive: true });
  const out: Record<string, string> = {};
  for (const s of SHIPPED_SEGMENTATION) {
    let init: string | undefined;
    for (const [i, cycle] of s.cycles.entries()) {
      const checkpoint = join(dir, `segmentation-${s.kind}-cycle${i + 1}.ckpt`);
      await trainSyntheticSegmentation({ kind: s.kind, options: s.options, trainImages: quick ? 4 : cycle.trainImages, epochs: quick ? 1 : cycle.epochs, learningRate: cycle.learningRate, init, checkpoint, heldOutImages: quick ? 2 : 200, log: options.log });
      init = checkpoint;
    }
    out[`segmentation-${s.kind}`] = join(dir, `segmentation-${s.kind}.ckpt`);
    stripOptimizer(init!, out[`segmentation-${s.kind}`]);
    if (s.lvFold !== undefined) {
      const name = `segmentation-${s.kind}-lv-fold${s.lvFold}`;
      await trainLvSegmentation({ kind: s.kind, options: s.options, folds: [s.lvFold], epochs: quick ? 1 : undefined, checkpoint: () => join(dir, `${name}.train.ckpt`), log: options.log });
      out[name] = join(dir, `${name}.ckpt`);
      stripOptimizer(join(dir, `${name}.train.ckpt`), out[name]);
    }
  }
  return out;
}
