import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint } from '../engine/checkpoint.js';
import { restoreModelWeights } from '../engine/state.js';
import { train, type TrainResult } from '../engine/train.js';
import { SegmentationConfusion, type SegmentationMetrics } from '../eval/segmentation.js';
import { DetsegInputError } from '../util/errors.js';
import { segmentationLoss, type SegLossName } from './losses.js';
import { labelBatches, type LabelDataset, type LabelSample } from './segmentation-data.js';
import { segmentationFamily, type SegmentationCheckpointMeta, type SegmentationOptions } from './segmentation-registry.js';

/**
 * Training, validation and prediction of any registered segmentation model (`segmentation-registry.ts`)
 * on a multi-class labelled set (`segmentation-data.ts`): softmax over K classes (background
 * included), per-pixel argmax for the prediction, the confusion-matrix metrics of `src/eval/segmentation.ts`.
 */

/**
 * Label maps of whole images of any size: each is zero-padded at the bottom/right to a multiple of
 * `multiple`, run through `model` (logits `[1, H', W', K]`), and every pixel gets its arg-max class.
 * @returns one `Uint8Array [H, W]` per sample
 */
export function predictLabelMaps(model: tf.LayersModel, samples: Array<Pick<LabelSample, 'image' | 'height' | 'width' | 'channels'>>, multiple: number): Uint8Array[] {
  return samples.map(({ image, height, width, channels }) => {
    const ph = Math.ceil(height / multiple) * multiple;
    const pw = Math.ceil(width / multiple) * multiple;
    const padded = new Float32Array(ph * pw * channels);
    for (let r = 0; r < height; r++) padded.set(image.subarray(r * width * channels, (r + 1) * width * channels), r * pw * channels);
    // (read the values outside tf.tidy: tidy walks a returned typed array element by element)
    const classes = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(padded, [1, ph, pw, channels])) as tf.Tensor, -1)); // [1, ph, pw]
    const values = classes.dataSync();
    classes.dispose();
    const out = new Uint8Array(height * width);
    for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) out[r * width + c] = values[r * pw + c];
    return out;
  });
}

/** What {@link evaluateSegmentation} measured. */
export interface SegmentationEvaluation {
  /** Pooled over all pixels of the evaluated images. */
  metrics: SegmentationMetrics;
  /** Mean wall-clock milliseconds of one image's prediction (forward pass and arg-max). */
  msPerImage: number;
}

/** Predicts `indices` of `samples` with {@link predictLabelMaps} and scores them against their labels. */
export function evaluateSegmentation(model: tf.LayersModel, samples: LabelSample[], indices: number[], numClasses: number, multiple: number): SegmentationEvaluation {
  const confusion = new SegmentationConfusion(numClasses);
  let ms = 0;
  for (const i of indices) {
    const t0 = performance.now();
    const [predicted] = predictLabelMaps(model, [samples[i]], multiple);
    ms += performance.now() - t0;
    confusion.add(predicted, samples[i].labels, samples[i].name);
  }
  return { metrics: confusion.metrics(), msPerImage: indices.length ? ms / indices.length : NaN };
}

/** Options of {@link trainSegmentation}. */
export interface SegmentationTrainOptions {
  /** Registered kind: unet, fcn, deeplab, segformer. */
  kind: string;
  /** Options of the family's builder (default: its defaults). */
  options?: SegmentationOptions;
  data: LabelDataset;
  trainIndices: number[];
  /** Held-out images, scored (mean IoU, pixel accuracy) after every epoch. */
  valIndices?: number[];
  /** Square training crop, a multiple of the family's multiple. */
  crop: number;
  epochs: number;
  batchSize?: number;
  learningRate?: number;
  /** Loss (default softmax cross-entropy + soft Dice). */
  loss?: Extract<SegLossName, 'softmax-ce' | 'softmax-dice' | 'softmax-ce+dice'>;
  /** Learning-rate schedule (default cosine decay to `minLearningRate`). */
  schedule?: 'constant' | 'cosine' | 'step';
  /** Linear warm-up steps (default 0). */
  warmupSteps?: number;
  /** Largest random shift of the training crop from the centre (default crop / 8). */
  maxShift?: number;
  /** Random gamma of the training crops (see `LabelBatchOptions`; default 0: off). */
  gammaJitter?: number;
  /** Learning rate at the end of the cosine decay (default learningRate / 20). */
  minLearningRate?: number;
  seed?: number;
  /** Weights to start from: a checkpoint of the same kind, options and classes (a fresh schedule, unlike `resume`). */
  init?: string;
  /** Checkpoint rewritten after every epoch; with `resume`, a killed run continues from it. */
  checkpoint?: string;
  resume?: boolean;
  progress?: boolean;
  log?: (line: string) => void;
}

/**
 * Builds the model of `kind` for the data's channels and classes and trains it (Adam, by default cosine
 * decay to 1/20 of the rate, `src/engine/train.ts`), scoring the held-out images after every epoch (`val_miou`,
 * `val_pixel_accuracy` in the history). The checkpoint's meta ({@link SegmentationCheckpointMeta})
 * rebuilds the model with `segmentationModelFromCheckpoint`. The caller disposes the returned model.
 */
export async function trainSegmentation(o: SegmentationTrainOptions): Promise<{ model: tf.LayersModel; result: TrainResult; meta: SegmentationCheckpointMeta }> {
  const family = segmentationFamily(o.kind);
  const options = o.options ?? {};
  const multiple = family.multiple(options);
  if (o.crop % multiple !== 0) throw new DetsegInputError(`must be a multiple of ${multiple} for ${o.kind}, got ${o.crop}`, { field: 'crop' });
  if (o.trainIndices.length === 0) throw new DetsegInputError('no training images', { field: 'trainIndices' });
  const { samples, classNames } = o.data;
  const numClasses = classNames.length;
  const inChannels = samples[o.trainIndices[0]].channels;
  const seed = o.seed ?? 0;
  const model = family.build(options, inChannels, numClasses, seed);
  if (o.init !== undefined) {
    try {
      restoreModelWeights(model, loadCheckpoint(o.init).model, o.init);
    } catch (err) {
      model.dispose();
      throw err;
    }
  }
  const batchSize = o.batchSize ?? 8;
  const lossName = o.loss ?? 'softmax-ce+dice';
  const meta: SegmentationCheckpointMeta = { format: 'detseg-segmentation', kind: o.kind, options, inChannels, numClasses, classNames, seed };
  const valIndices = o.valIndices ?? [];
  const result = await train({
    model,
    loss: segmentationLoss(lossName),
    data: (_epoch, random) => labelBatches(samples, o.trainIndices, { batchSize, crop: o.crop, numClasses, maxShift: o.maxShift ?? o.crop / 8, flip: true, gammaJitter: o.gammaJitter ?? 0 }, random),
    epochs: o.epochs,
    stepsPerEpoch: Math.ceil(o.trainIndices.length / batchSize),
    optimizer: { kind: 'adam', learningRate: o.learningRate ?? 2e-3 },
    // step: ×0.1 at each third of the run
    schedule: o.schedule === 'constant' ? { kind: 'constant' } : o.schedule === 'step' ? { kind: 'step', everySteps: Math.max(1, Math.ceil((o.epochs * Math.ceil(o.trainIndices.length / batchSize)) / 3)), gamma: 0.1 } : { kind: 'cosine', minLr: o.minLearningRate ?? (o.learningRate ?? 2e-3) / 20 },
    warmupSteps: o.warmupSteps ?? 0,
    seed,
    checkpoint: o.checkpoint,
    resume: o.resume,
    progress: o.progress,
    meta: { ...meta, loss: lossName, crop: o.crop, batchSize, init: o.init ?? null },
    log: o.log,
    onEpochEnd: () => {
      if (valIndices.length === 0) return;
      const { metrics } = evaluateSegmentation(model, samples, valIndices, numClasses, multiple);
      return { val_miou: metrics.meanIou, val_pixel_accuracy: metrics.pixelAccuracy };
    },
  });
  return { model, result, meta };
}
