import { basename } from 'node:path';
import { saveDetectorCheckpoint } from '../detection/checkpoint.js';
import { evaluateDetections } from '../detection/evaluate.js';
import { imagesToTensor, type DetectionSample } from '../detection/synthetic-data.js';
import { trainDetector } from '../detection/train-loop.js';
import type { Detections } from '../detection/types.js';
import { loadMaskRcnn, shippedMaskRcnnPath } from '../mask-rcnn/checkpoint.js';
import type { MaskRCNN } from '../mask-rcnn/mask-rcnn.js';
import { syntheticPanopticSample } from '../../data/synthetic-panoptic.js';
import { assetsDir } from '../../util/paths.js';
import { DEFAULT_PANOPTIC_RECIPE, panopticDetectionSample, panopticInstanceBatches, type PanopticRecipe } from './data.js';

/**
 * The panoptic model's instances: the shipped Mask R-CNN (trained on plain synthetic backgrounds)
 * fine-tuned on the panoptic images, whose textured stuff backgrounds it has not seen.
 */

/** Fine-tuning schedule of {@link finetuneInstances}. */
export interface InstanceFinetuneConfig {
  /** Optimisation steps of `batchSize` images. */
  steps: number;
  batchSize: number;
  /** Peak Adam learning rate (linear warm-up over min(100, steps/10) steps, cosine to 1/50 of it). */
  learningRate: number;
  /** Seed of the batch order and flips. */
  seed: number;
}

/** The schedule of the shipped `panoptic-mask-rcnn.ckpt` (`scripts/train-panoptic.ts instances`). */
export const DEFAULT_INSTANCE_FINETUNE: InstanceFinetuneConfig = { steps: 1000, batchSize: 2, learningRate: 3e-4, seed: 0 };

/** Path of the shipped panoptic Mask R-CNN. */
export function shippedPanopticMaskRcnnPath(): string {
  return assetsDir('checkpoints', 'panoptic-mask-rcnn.ckpt');
}

/** Held-out panoptic images `0..count−1` of the recipe's validation seed, as detector samples. */
export function panopticHeldOut(recipe: PanopticRecipe = DEFAULT_PANOPTIC_RECIPE, count = recipe.valImages): DetectionSample[] {
  return Array.from({ length: count }, (_, i) => panopticDetectionSample(syntheticPanopticSample(recipe.valSeed, i, { size: recipe.imageSize })));
}

/** Detections of a Mask R-CNN on `samples` (batches of 8). */
export function predictInstances(model: MaskRCNN, samples: DetectionSample[], size: number): Detections[] {
  const out: Detections[] = [];
  for (let i = 0; i < samples.length; i += 8) {
    const x = imagesToTensor(samples.slice(i, i + 8).map((s) => s.sample.image), size, size); // [B, S, S, 3]
    out.push(...model.predict(x));
    x.dispose();
  }
  return out;
}

/** COCO box and mask AP of a Mask R-CNN on held-out panoptic samples. */
export function instanceScores(model: MaskRCNN, samples: DetectionSample[], size: number): { boxAP: number; boxAP50: number; maskAP: number; maskAP50: number } {
  const detections = predictInstances(model, samples, size);
  const box = evaluateDetections(samples, detections, 'bbox');
  const mask = evaluateDetections(samples, detections, 'segm');
  return { boxAP: box.stats[0], boxAP50: box.stats[1], maskAP: mask.stats[0], maskAP50: mask.stats[1] };
}

/**
 * Fine-tunes the Mask R-CNN of `init` (default: the shipped one) on the recipe's panoptic training
 * images, scores it on `valImages` held-out panoptic images (COCO box and mask AP) and writes a
 * Mask R-CNN checkpoint (`meta.format` 'detseg-mask-rcnn', loadable by every Mask R-CNN loader) to `out`.
 */
export function finetuneInstances(
  config: InstanceFinetuneConfig,
  out: string,
  options: { init?: string; recipe?: PanopticRecipe; valImages?: number; log?: (line: string) => void } = {},
): { metrics: Record<string, number>; seconds: number } {
  const log = options.log ?? (() => {});
  const recipe = options.recipe ?? DEFAULT_PANOPTIC_RECIPE;
  const init = options.init ?? shippedMaskRcnnPath();
  const { model, meta } = loadMaskRcnn(init);
  try {
    const result = trainDetector({
      detector: model,
      batch: panopticInstanceBatches(recipe, config.batchSize, config.seed),
      steps: config.steps,
      optimizer: { kind: 'adam', learningRate: config.learningRate },
      schedule: { kind: 'cosine', minLr: config.learningRate / 50 },
      warmupSteps: Math.min(100, Math.ceil(config.steps / 10)),
      onReport: (step, losses, seconds) => log(`step ${step} ${seconds.toFixed(0)} s ${Object.entries(losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ')}`),
    });
    const valImages = options.valImages ?? recipe.valImages;
    const scores = instanceScores(model, panopticHeldOut(recipe, valImages), recipe.imageSize);
    const metrics = { ...scores, valImages, steps: result.steps, trainSeconds: result.seconds };
    log(`held-out panoptic images: box AP ${scores.boxAP.toFixed(3)} (AP@0.5 ${scores.boxAP50.toFixed(3)}), mask AP ${scores.maskAP.toFixed(3)} (AP@0.5 ${scores.maskAP50.toFixed(3)})`);
    saveDetectorCheckpoint(out, model.models(), { format: 'detseg-mask-rcnn', options: meta.options, panopticRecipe: recipe, finetune: config, init: basename(init), metrics, history: result.history }, result.steps);
    return { metrics, seconds: result.seconds };
  } finally {
    model.dispose();
  }
}
