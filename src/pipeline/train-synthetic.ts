import { loadCheckpoint } from '../engine/checkpoint.js';
import { saveDetectorCheckpoint } from '../models/detection/checkpoint.js';
import { evaluateDetections } from '../models/detection/evaluate.js';
import { DEFAULT_SYNTHETIC_RECIPE, heldOutSet, syntheticBatches, type SyntheticRecipe } from '../models/detection/recipe.js';
import { selectiveSearchProposals } from '../models/detection/selective-search-proposals.js';
import { imagesToTensor, type DetectionSample } from '../models/detection/synthetic-data.js';
import { trainDetector } from '../models/detection/train-loop.js';
import type { Detections } from '../models/detection/types.js';
import { detectorFamily } from '../models/registry.js';
import { initialiseFrom, type DetectorKind } from './weights.js';

/** Options of {@link trainOnSynthetic}. */
export interface SyntheticTrainOptions {
  /** Optimisation steps (batch of `recipe.batchSize` images). */
  steps: number;
  /** Peak Adam learning rate (cosine schedule to 1/50 of it, linear warm-up over min(100, steps/10) steps). */
  learningRate: number;
  /** Stop training after this many seconds. */
  budgetSeconds?: number;
  /**
   * Faster R-CNN checkpoint whose backbone (and, for Fast R-CNN, box head; for Mask R-CNN, every Faster R-CNN part) initialises the model;
   * or a checkpoint of the same kind, whose weights all continue (a further schedule from a trained model).
   */
  init?: string;
  /** Checkpoint to write. */
  out: string;
  /** Data (default {@link DEFAULT_SYNTHETIC_RECIPE}). */
  recipe?: SyntheticRecipe;
  /** Model options merged over the kind's shipped training options (e.g. `{ backbone: { widths: [32, 64, 128] } }`). */
  modelOptions?: Record<string, unknown>;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What {@link trainOnSynthetic} measured on the held-out images. */
export interface SyntheticTrainReport {
  kind: DetectorKind;
  metrics: Record<string, unknown>;
  /** pycocotools' summary lines, bbox (and segm for Mask R-CNN). */
  lines: string[];
}

const ss = (image: Uint8Array, width: number, height: number) => selectiveSearchProposals(image, width, height);

/**
 * Trains a detector of the R-CNN family on the synthetic-shapes benchmark (seeded training set, batches
 * of 2, flips), evaluates it with COCOeval on the held-out split (bbox; segm too for Mask R-CNN), and
 * writes a checkpoint with the options, recipe, metrics and loss history in `meta`. Fast R-CNN and
 * R-CNN train on selective-search proposals (mode 'quality', the default of `selectiveSearchProposals`).
 */
export function trainOnSynthetic(kind: DetectorKind, options: SyntheticTrainOptions): SyntheticTrainReport {
  const log = options.log ?? (() => {});
  const recipe = options.recipe ?? DEFAULT_SYNTHETIC_RECIPE;
  const family = detectorFamily(kind);
  const modelOptions = { ...family.defaultOptions, ...options.modelOptions };
  const model = family.build(modelOptions);
  const proposals = family.needsProposals;
  const predict = (x: Parameters<typeof model.predict>[0], s: DetectionSample[]) => model.predict(x, proposals ? s.map((v) => ss(v.sample.image, v.sample.width, v.sample.height)) : undefined);
  // A checkpoint of the same kind continues every part (a second schedule); a Faster R-CNN one initialises the parts it shares.
  if (options.init) initialiseFrom(model, loadCheckpoint(options.init), options.init);
  log(`${kind}: ${model.models().reduce((s, m) => s + m.countParams(), 0).toLocaleString('en-US')} parameters; ${options.steps} steps of ${recipe.batchSize} images; lr ${options.learningRate}${options.init ? `; initialised from ${options.init}` : ''}`);
  const result = trainDetector({
    detector: model,
    batch: syntheticBatches(recipe, proposals ? ss : undefined),
    steps: options.steps,
    optimizer: { kind: 'adam', learningRate: options.learningRate },
    schedule: { kind: 'cosine', minLr: options.learningRate / 50 },
    warmupSteps: Math.min(100, Math.ceil(options.steps / 10)),
    timeBudgetSeconds: options.budgetSeconds,
    onReport: (step, losses, seconds) => log(`step ${step} ${seconds.toFixed(0)} s ${Object.entries(losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ')}`),
  });
  const val = heldOutSet(recipe);
  const t0 = performance.now();
  const detections: Detections[] = [];
  for (let i = 0; i < val.length; i += 8) {
    const chunk = val.slice(i, i + 8);
    const images = imagesToTensor(chunk.map((s) => s.sample.image), recipe.imageSize, recipe.imageSize);
    detections.push(...predict(images, chunk));
    images.dispose();
  }
  const predictSeconds = (performance.now() - t0) / 1000;
  const coco = evaluateDetections(val, detections, 'bbox');
  const lines = ['bbox', ...coco.lines];
  const metrics: Record<string, unknown> = { mAP: coco.stats[0], mAP50: coco.stats[1], mAP75: coco.stats[2], perClass: coco.perClass, trainSeconds: result.seconds, steps: result.steps, predictSecondsPerImage: predictSeconds / val.length, valImages: val.length };
  if (kind === 'mask-rcnn') {
    const segm = evaluateDetections(val, detections, 'segm');
    lines.push('segm', ...segm.lines);
    Object.assign(metrics, { maskAP: segm.stats[0], maskAP50: segm.stats[1], maskPerClass: segm.perClass });
  }
  saveDetectorCheckpoint(options.out, model.models(), { format: `detseg-${kind}`, options: modelOptions, recipe, learningRate: options.learningRate, init: options.init ?? null, metrics, history: result.history }, result.steps);
  for (const m of model.models()) m.dispose();
  return { kind, metrics, lines };
}
