import { loadCheckpoint, saveCheckpoint } from '../../engine/checkpoint.js';
import { initEngine, tf } from '../../engine/setup.js';
import { captureModelWeights, restoreModelWeights } from '../../engine/state.js';
import { train, type Batch, type EpochRecord } from '../../engine/train.js';
import { SegmentationConfusion } from '../../eval/segmentation.js';
import { syntheticPanopticSample } from '../../data/synthetic-panoptic.js';
import { DetsegInputError } from '../../util/errors.js';
import { assetsDir } from '../../util/paths.js';
import { shuffleInPlace } from '../../util/random.js';
import { imagesToTensor } from '../detection/images-tensor.js';
import { softmaxCrossEntropy } from '../losses.js';
import { buildUNet } from '../unet/unet.js';
import { DEFAULT_PANOPTIC_RECIPE, SEMANTIC_CHANNELS, semanticBatch, type PanopticRecipe } from './data.js';

/**
 * The panoptic model's semantic head: a multi-class U-Net (`src/models/unet/unet.ts`) over RGB images
 * that gives every pixel one of {@link SEMANTIC_CHANNELS} classes (channel c = category id c: the
 * things and the stuff), trained with softmax cross-entropy on the synthetic panoptic data's semantic
 * maps. Its argmax supplies the stuff of the panoptic output (`fusion.ts`).
 */

/** Training configuration of the semantic head. */
export interface SemanticHeadConfig {
  /** U-Net base width (channels of the first block) and depth (number of 2×2 pools). */
  baseWidth: number;
  depth: number;
  /** Batch normalisation after every 3×3 conv. */
  batchNorm: boolean;
  /** Training images used (the first of the recipe's shuffled training set), epochs, batch size. */
  trainImages: number;
  epochs: number;
  batchSize: number;
  /** Adam learning rate at the start; half-cosine decay to `minLearningRate`. */
  learningRate: number;
  minLearningRate: number;
  /** Seed of the weights and of the batch order / flips. */
  seed: number;
}

/** The configuration of the shipped semantic head (`scripts/train-panoptic.ts semantic`). */
export const DEFAULT_SEMANTIC_HEAD_CONFIG: SemanticHeadConfig = {
  baseWidth: 8,
  depth: 3,
  batchNorm: false,
  trainImages: 1000,
  epochs: 6,
  batchSize: 8,
  learningRate: 3e-3,
  minLearningRate: 1e-4,
  seed: 1,
};

/** Path of the shipped semantic head. */
export function shippedSemanticHeadPath(): string {
  return assetsDir('checkpoints', 'panoptic-semantic.ckpt');
}

/** Builds the semantic U-Net of `config` (input `[B, H, W, 3]`, H and W divisible by 2^depth → logits `[B, H, W, SEMANTIC_CHANNELS]`). */
export function buildSemanticHead(config: Pick<SemanticHeadConfig, 'baseWidth' | 'depth' | 'batchNorm' | 'seed'>): tf.LayersModel {
  return buildUNet({ inChannels: 3, outChannels: SEMANTIC_CHANNELS, baseWidth: config.baseWidth, depth: config.depth, batchNorm: config.batchNorm, seed: config.seed });
}

/**
 * Trains the semantic head from scratch with the engine's loop (Adam, cosine decay, softmax
 * cross-entropy, random left–right flips) on images 0..`trainImages`−1 of the recipe's training seed.
 * `steps`: stop after this many optimisation steps in all (a smoke test); `onEpoch`: per-epoch records.
 */
export async function trainSemanticHead(
  config: SemanticHeadConfig,
  recipe: PanopticRecipe = DEFAULT_PANOPTIC_RECIPE,
  options: { onEpoch?: (r: EpochRecord) => void; steps?: number; checkpoint?: string } = {},
): Promise<{ model: tf.LayersModel; history: EpochRecord[]; seconds: number }> {
  await initEngine();
  const model = buildSemanticHead(config);
  const indices = Array.from({ length: config.trainImages }, (_, i) => i);
  const stepsPerEpoch = Math.ceil(indices.length / config.batchSize);
  const stepLimit = options.steps;
  let taken = 0;
  function* batches(_epoch: number, random: () => number): Generator<Batch> {
    const order = shuffleInPlace(indices.slice(), random);
    for (let start = 0; start < order.length; start += config.batchSize) {
      if (stepLimit !== undefined && taken >= stepLimit) return;
      taken++;
      yield semanticBatch(recipe.trainSeed, order.slice(start, start + config.batchSize), recipe.imageSize, random); // [B, S, S, 3], [B, S, S, K]
    }
  }
  const t0 = performance.now();
  const result = await train({
    model,
    loss: softmaxCrossEntropy,
    data: batches,
    epochs: stepLimit !== undefined ? 1 : config.epochs,
    stepsPerEpoch,
    optimizer: { kind: 'adam', learningRate: config.learningRate },
    schedule: { kind: 'cosine', minLr: config.minLearningRate },
    seed: config.seed * 7919,
    checkpoint: options.checkpoint,
    onEpochEnd: (r) => options.onEpoch?.(r),
  });
  return { model, history: result.history, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Per-pixel argmax classes of RGB images (`Uint8Array [H, W, 3]` each, all `height`×`width`, both
 * divisible by 2^depth): one `Uint8Array [H, W]` of category ids per image.
 */
export function predictSemantic(model: tf.LayersModel, images: Uint8Array[], height: number, width = height, batchSize = 8): Uint8Array[] {
  const out: Uint8Array[] = [];
  const n = height * width;
  for (let start = 0; start < images.length; start += batchSize) {
    const chunk = images.slice(start, start + batchSize);
    const labels = tf.tidy(() => tf.argMax(model.predict(imagesToTensor(chunk, height, width)) as tf.Tensor4D, -1)); // [B, H, W]
    const values = labels.dataSync() as Int32Array;
    labels.dispose();
    for (let b = 0; b < chunk.length; b++) out.push(Uint8Array.from(values.subarray(b * n, (b + 1) * n)));
  }
  return out;
}

/** Held-out semantic scores of a head: mean IoU over the classes present, pixel accuracy, per-class IoU (index = category id). */
export interface SemanticScores {
  meanIou: number;
  pixelAccuracy: number;
  /** IoU per category id (index 0, void, is NaN: never present). */
  iou: number[];
  images: number;
}

/** Scores `model` on images 0..`count`−1 of the recipe's held-out seed (pixel confusion over all images). */
export function evaluateSemanticHead(model: tf.LayersModel, recipe: PanopticRecipe = DEFAULT_PANOPTIC_RECIPE, count = recipe.valImages): SemanticScores {
  const confusion = new SegmentationConfusion(SEMANTIC_CHANNELS);
  for (let start = 0; start < count; start += 16) {
    const samples = Array.from({ length: Math.min(16, count - start) }, (_, i) => syntheticPanopticSample(recipe.valSeed, start + i, { size: recipe.imageSize }));
    const predicted = predictSemantic(model, samples.map((s) => s.image), recipe.imageSize);
    samples.forEach((s, i) => confusion.add(predicted[i], s.categoryMap, `held-out image ${start + i}`));
  }
  const m = confusion.metrics();
  return { meanIou: m.meanIou, pixelAccuracy: m.pixelAccuracy, iou: [...m.iou], images: count };
}

/** Writes a semantic head checkpoint (meta.format 'detseg-panoptic-semantic', its config and free `meta`). */
export function saveSemanticHead(path: string, model: tf.LayersModel, config: SemanticHeadConfig, meta: Record<string, unknown> = {}): void {
  saveCheckpoint(path, { epoch: config.epochs, step: 0, rng: { seed: config.seed, state: 0 }, model: captureModelWeights(model), optimizer: [], optimizerName: 'none', meta: { ...meta, format: 'detseg-panoptic-semantic', config } });
}

/** Loads a semantic head written by {@link saveSemanticHead}; a {@link DetsegInputError} names the file for anything else. */
export function loadSemanticHead(path = shippedSemanticHeadPath()): { model: tf.LayersModel; config: SemanticHeadConfig; meta: Record<string, unknown> } {
  const ckpt = loadCheckpoint(path);
  const meta = ckpt.meta ?? {};
  if (meta.format !== 'detseg-panoptic-semantic') throw new DetsegInputError(`not a panoptic semantic-head checkpoint (meta.format ${JSON.stringify(meta.format)})`, { file: path, field: 'meta.format' });
  const config = meta.config as SemanticHeadConfig;
  const model = buildSemanticHead(config);
  restoreModelWeights(model, ckpt.model, path);
  return { model, config, meta };
}
