import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../../engine/checkpoint.js';
import { initEngine, tf } from '../../engine/setup.js';
import { captureModelWeights, restoreModelWeights } from '../../engine/state.js';
import { train, type Batch, type EpochRecord } from '../../engine/train.js';
import { crossEntropyDiceLoss } from '../losses.js';
import { buildUNet } from './unet.js';
import { applyWindow, percentileBounds } from '../../data/dicom.js';
import { centreCropOrigin, cropInto } from '../../data/crop.js';
import { leaveOnePatientOut, type SunnybrookData, type SunnybrookSlice } from '../../data/sunnybrook.js';
import { binaryDice, SegmentationConfusion } from '../../eval/segmentation.js';
import { DetsegInputError } from '../../util/errors.js';
import { assetsDir } from '../../util/paths.js';
import { shuffleInPlace } from '../../util/random.js';

/**
 * The left-ventricle practical: a U-Net segments the LV blood pool in short-axis cine MRI (Sunnybrook),
 * trained on 4 patients and tested on the 5th, for each of the 5 folds of a split by patient.
 *
 * Input: the centre crop of each 256×256 slice (every LV contour of the subset lies in rows and columns
 * 86–160, inside the central 96×96 window [80, 176)), re-windowed to [0, 1] by the 1%–99% percentiles
 * of that centre crop (see {@link lvInputImage}). Training augmentation shifts the crop window by up to
 * `maxShift` pixels (real image content, no padding), applies a random gamma and, optionally, flips it
 * left–right. Predictions are pasted back into the full 256×256 frame (zero outside the crop) and
 * scored there.
 */
export interface LvConfig {
  /** Side of the square centre crop fed to the U-Net (divisible by 2^depth). */
  crop: number;
  /** U-Net base width (channels of the first block) and depth (number of 2×2 pools). */
  baseWidth: number;
  depth: number;
  epochs: number;
  batchSize: number;
  /** Adam learning rate at the start; decays with a half cosine (over all steps) to `minLearningRate`. */
  learningRate: number;
  minLearningRate: number;
  /** Largest random shift of the crop window in training, pixels (each axis: a uniform draw in [−maxShift, maxShift], rounded). */
  maxShift: number;
  /** Random left–right flips in training. */
  flip: boolean;
  /** Random gamma in training: intensities v → v^γ with ln γ uniform in [−gammaJitter, gammaJitter] (0: off). */
  gammaJitter: number;
  /** Seed of fold k's weights (seed + k) and of its batch order and augmentation (seed·7919 + k). */
  seed: number;
}

/** The configuration of the shipped checkpoints (see `scripts/train-lv.ts`). */
export const DEFAULT_LV_CONFIG: LvConfig = {
  crop: 96,
  baseWidth: 8,
  depth: 3,
  epochs: 50,
  batchSize: 4,
  learningRate: 2e-3,
  minLearningRate: 1e-4,
  maxShift: 12,
  flip: true,
  gammaJitter: 0.4,
  seed: 1,
};

/** A trained fold. */
export interface TrainedFold {
  fold: number;
  testPatient: string;
  trainPatients: string[];
  model: tf.LayersModel;
  /** The engine's per-epoch records (0-based epoch, mean loss, learning rate, seconds). */
  history: EpochRecord[];
  /** Optimisation steps done. */
  steps: number;
  /** Seconds in training steps (sum over epochs), and wall seconds of the whole call. */
  trainSeconds: number;
  wallSeconds: number;
}

const inputCache = new WeakMap<SunnybrookSlice, Map<number, Float32Array>>();

/**
 * The network's view of a slice: its whole image `Float32Array [H, W]` re-windowed linearly so that the
 * 1% and 99% percentiles of its centre `crop` window map to 0 and 1 (clamped). The loader's window uses
 * the whole slice, whose brightest pixels are subcutaneous fat far from the heart and vary between
 * patients (the LV blood pool averages 0.22–0.31 for patient SCD0000401 but 0.51–0.75 for SCD0000501);
 * windowing on the heart's neighbourhood brings every patient to 0.40–0.77. Cached per slice.
 */
export function lvInputImage(slice: SunnybrookSlice, crop: number): Float32Array {
  let byCrop = inputCache.get(slice);
  if (!byCrop) inputCache.set(slice, (byCrop = new Map()));
  let input = byCrop.get(crop);
  if (!input) {
    const [r0, c0] = centreCropOrigin(slice.height, slice.width, crop);
    const window = new Float32Array(crop * crop);
    cropInto(slice.image, slice.width, r0, c0, crop, false, window, 0);
    const [lo, hi] = percentileBounds(window);
    input = applyWindow(slice.image, lo, hi);
    byCrop.set(crop, input);
  }
  return input;
}

/**
 * Builds one training batch: images `[B, crop, crop, 1]` and masks `[B, crop, crop, 1]` (float 0/1)
 * from the slices `indices` (their {@link lvInputImage}), each with a random shift, gamma (and flip)
 * drawn from `random`.
 */
export function makeBatch(data: SunnybrookData, indices: number[], config: LvConfig, random: () => number): { images: Float32Array; masks: Float32Array } {
  const size = config.crop;
  const images = new Float32Array(indices.length * size * size);
  const masks = new Float32Array(indices.length * size * size);
  indices.forEach((index, b) => {
    const s = data.slices[index];
    const [r0, c0] = centreCropOrigin(s.height, s.width, size);
    const shift = (lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round((2 * random() - 1) * config.maxShift)));
    const row0 = r0 + shift(-r0, s.height - size - r0);
    const col0 = c0 + shift(-c0, s.width - size - c0);
    const flip = config.flip && random() < 0.5;
    const offset = b * size * size;
    cropInto(lvInputImage(s, size), s.width, row0, col0, size, flip, images, offset);
    cropInto(s.mask, s.width, row0, col0, size, flip, masks, offset);
    if (config.gammaJitter > 0) {
      const gamma = Math.exp((2 * random() - 1) * config.gammaJitter);
      for (let i = offset; i < offset + size * size; i++) images[i] = Math.pow(images[i], gamma);
    }
  });
  return { images, masks };
}

/**
 * Trains the U-Net of fold `fold` (patient `data.patients[fold]` held out) from scratch with the
 * engine's loop: Adam, sigmoid cross-entropy + soft Dice, cosine learning-rate decay, shuffled batches
 * with augmentation (shuffle and augmentation drawn from the engine's per-epoch seeded generator).
 *
 * @param options.checkpoint engine checkpoint rewritten after every epoch (with `resume`, a killed run continues)
 */
export async function trainFold(
  data: SunnybrookData,
  fold: number,
  config: LvConfig,
  options: { onEpoch?: (r: EpochRecord) => void; checkpoint?: string; resume?: boolean; progress?: boolean } = {},
): Promise<TrainedFold> {
  await initEngine();
  const split = leaveOnePatientOut(data, fold);
  const model = buildUNet({ baseWidth: config.baseWidth, depth: config.depth, seed: config.seed + fold, inputSize: [config.crop, config.crop] });
  const n = split.trainIndices.length;
  const shape = (b: number): [number, number, number, number] => [b, config.crop, config.crop, 1];
  function* batches(_epoch: number, random: () => number): Generator<Batch> {
    const order = shuffleInPlace(split.trainIndices.slice(), random);
    for (let start = 0; start < n; start += config.batchSize) {
      const ids = order.slice(start, start + config.batchSize);
      const { images, masks } = makeBatch(data, ids, config, random);
      yield { x: tf.tensor4d(images, shape(ids.length)), y: tf.tensor4d(masks, shape(ids.length)) }; // [B, S, S, 1] each
    }
  }
  const t0 = performance.now();
  const result = await train({
    model,
    loss: crossEntropyDiceLoss,
    data: batches,
    epochs: config.epochs,
    stepsPerEpoch: Math.ceil(n / config.batchSize),
    optimizer: { kind: 'adam', learningRate: config.learningRate },
    schedule: { kind: 'cosine', minLr: config.minLearningRate },
    seed: config.seed * 7919 + fold,
    checkpoint: options.checkpoint,
    resume: options.resume,
    progress: options.progress,
    meta: { lvConfig: config, fold },
    onEpochEnd: (r) => options.onEpoch?.(r),
  });
  const trainSeconds = result.history.reduce((s, r) => s + r.seconds, 0);
  return {
    fold,
    testPatient: split.testPatient,
    trainPatients: split.trainPatients,
    model,
    history: result.history,
    steps: result.steps,
    trainSeconds,
    wallSeconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Predicts the LV masks of the slices `indices` at full resolution: the centre crop goes through the
 * U-Net, logit > 0 (probability > 0.5) marks the LV, and the crop is pasted back into a zero frame.
 *
 * @returns one `Uint8Array [H, W]` per slice
 */
export async function predictMasks(model: tf.LayersModel, data: SunnybrookData, indices: number[], config: Pick<LvConfig, 'crop'>, batchSize = 8): Promise<Uint8Array[]> {
  await initEngine();
  const size = config.crop;
  const out: Uint8Array[] = [];
  for (let start = 0; start < indices.length; start += batchSize) {
    const ids = indices.slice(start, start + batchSize);
    const images = new Float32Array(ids.length * size * size);
    const origins = ids.map((index, b) => {
      const s = data.slices[index];
      const origin = centreCropOrigin(s.height, s.width, size);
      cropInto(lvInputImage(s, size), s.width, origin[0], origin[1], size, false, images, b * size * size);
      return origin;
    });
    const x = tf.tensor4d(images, [ids.length, size, size, 1]); // [B, S, S, 1]
    const logits = model.predict(x) as tf.Tensor; // [B, S, S, 1]
    const values = (await logits.data()) as Float32Array;
    tf.dispose([x, logits]);
    ids.forEach((index, b) => {
      const s = data.slices[index];
      const mask = new Uint8Array(s.height * s.width);
      const [r0, c0] = origins[b];
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) mask[(r0 + r) * s.width + c0 + c] = values[b * size * size + r * size + c] > 0 ? 1 : 0;
      }
      out.push(mask);
    });
  }
  return out;
}

/** Metadata of a shipped LV checkpoint (the `meta` of an engine checkpoint, which holds the weights). */
export interface LvCheckpointMeta {
  format: 'detseg-unet-lv';
  lvConfig: LvConfig;
  fold: number;
  testPatient: string;
  trainPatients: string[];
  history: EpochRecord[];
  /** Seconds spent in training steps (sum over epochs), and the wall time of the whole run. */
  trainSeconds: number;
  wallSeconds: number;
}

/** The shipped checkpoint of fold `k`: `assets/checkpoints/unet-lv-fold<k>.ckpt`. */
export function lvCheckpointPath(fold: number, dir = assetsDir('checkpoints')): string {
  return join(dir, `unet-lv-fold${fold}.ckpt`);
}

/**
 * Writes a trained fold as an engine checkpoint (`src/engine/checkpoint.ts`, written atomically) holding
 * the model weights only — no optimizer slots, which would triple the size — and the fold's metadata.
 */
export function saveLvCheckpoint(path: string, trained: TrainedFold, config: LvConfig): void {
  const meta: LvCheckpointMeta = {
    format: 'detseg-unet-lv',
    lvConfig: config,
    fold: trained.fold,
    testPatient: trained.testPatient,
    trainPatients: trained.trainPatients,
    history: trained.history,
    trainSeconds: trained.trainSeconds,
    wallSeconds: trained.wallSeconds,
  };
  saveCheckpoint(path, {
    epoch: trained.history.length,
    step: trained.steps,
    rng: { seed: config.seed * 7919 + trained.fold, state: trained.history.length },
    model: captureModelWeights(trained.model),
    optimizer: [],
    optimizerName: 'adam',
    meta: meta as unknown as Record<string, unknown>,
  });
}

/**
 * Loads a checkpoint written by {@link saveLvCheckpoint}: rebuilds the U-Net of its config and restores
 * its weights (names and shapes checked). Throws a {@link DetsegInputError} naming the file otherwise.
 */
export async function loadLvCheckpoint(path: string): Promise<{ meta: LvCheckpointMeta; model: tf.LayersModel }> {
  await initEngine();
  const ckpt = loadCheckpoint(path);
  const meta = ckpt.meta as unknown as LvCheckpointMeta;
  if (meta?.format !== 'detseg-unet-lv') throw new DetsegInputError(`not an LV U-Net checkpoint (meta.format ${JSON.stringify(meta?.format)})`, { file: path, field: 'meta.format' });
  const c = meta.lvConfig;
  const model = buildUNet({ baseWidth: c.baseWidth, depth: c.depth, seed: c.seed + meta.fold, inputSize: [c.crop, c.crop] });
  restoreModelWeights(model, ckpt.model, path);
  return { meta, model };
}

/** Held-out results of one fold. */
export interface LvFoldResult {
  fold: number;
  testPatient: string;
  /** Indices into `data.slices` of the held-out slices, and their predicted masks `Uint8Array [H, W]`. */
  sliceIndices: number[];
  predictions: Uint8Array[];
  /**
   * LV Dice, LV IoU and pixel accuracy of the held-out patient, from the 2-class pixel confusion
   * matrix accumulated over all its slices at full resolution (256×256; pixel accuracy therefore
   * counts the whole frame, mostly easy background).
   */
  dice: number;
  iou: number;
  pixelAccuracy: number;
  /** Dice of each held-out slice on its own (`Float64Array [slices]`). */
  sliceDice: Float64Array;
}

/**
 * Predicts the held-out patient of fold `fold` with `model` and scores it against the contour masks
 * with `src/eval/segmentation.ts` (classes 0 = background, 1 = LV).
 */
export async function evaluateLvFold(model: tf.LayersModel, data: SunnybrookData, fold: number, config: Pick<LvConfig, 'crop'>): Promise<LvFoldResult> {
  const split = leaveOnePatientOut(data, fold);
  const predictions = await predictMasks(model, data, split.testIndices, config);
  const confusion = new SegmentationConfusion(2);
  const sliceDice = new Float64Array(predictions.length);
  split.testIndices.forEach((index, k) => {
    const s = data.slices[index];
    confusion.add(predictions[k], s.mask, s.dicomFile);
    sliceDice[k] = binaryDice(predictions[k], s.mask);
  });
  const m = confusion.metrics();
  return { fold, testPatient: split.testPatient, sliceIndices: split.testIndices, predictions, dice: m.dice[1], iou: m.iou[1], pixelAccuracy: m.pixelAccuracy, sliceDice };
}

/** Mean over folds (patients) of the per-patient Dice, IoU and pixel accuracy. */
export function meanOverPatients(results: LvFoldResult[]): { dice: number; iou: number; pixelAccuracy: number } {
  const mean = (f: (r: LvFoldResult) => number) => results.reduce((s, r) => s + f(r), 0) / results.length;
  return { dice: mean((r) => r.dice), iou: mean((r) => r.iou), pixelAccuracy: mean((r) => r.pixelAccuracy) };
}
