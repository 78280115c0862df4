import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import { existsSync } from 'node:fs';
import { mulberry32 } from '../util/random.js';
import { makeOptimizer, setLearningRate, type OptimizerConfig } from './optimizer.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { learningRateAt, type LrSchedule } from './schedule.js';
import { captureModelWeights, captureOptimizerState, restoreModelWeights, restoreOptimizerState } from './state.js';

export { makeOptimizer, type OptimizerConfig } from './optimizer.js';

/** One mini-batch: images `x [B, H, W, Cin]` and targets `y [B, H, W, Cout]` (owned by the trainer, which disposes them). */
export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

/** What one epoch gave. */
export interface EpochRecord {
  /** 0-based epoch. */
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Learning rate of the epoch's last step. */
  learningRate: number;
  /** Wall-clock seconds of the epoch (training steps only). */
  seconds: number;
  /** Training images per second. */
  imagesPerSecond: number;
  /** Metrics returned by `onEpochEnd` (e.g. validation Dice). */
  metrics: Record<string, number>;
}

/** Options of {@link train}. */
export interface TrainOptions {
  model: tf.LayersModel;
  /** Loss of `(logits [B, H, W, C], target [B, H, W, C])`, a scalar. */
  loss: (logits: tf.Tensor, target: tf.Tensor) => tf.Scalar;
  /**
   * Batches of one epoch. `random` is the epoch's seeded generator (for shuffling and augmentation):
   * it depends only on the run seed and the epoch, so a resumed run sees the same batches.
   */
  data: (epoch: number, random: () => number) => AsyncIterable<Batch> | Iterable<Batch>;
  /** Total epochs of the run. */
  epochs: number;
  /** Batches per epoch (for the learning-rate schedule, the progress bar and its ETA). */
  stepsPerEpoch: number;
  optimizer?: OptimizerConfig;
  /** Learning-rate schedule over the whole run (default constant). */
  schedule?: LrSchedule;
  /** Linear warm-up steps (default 0). */
  warmupSteps?: number;
  /** Seed of the per-epoch generators (default 0). Weight initialisation is seeded by the model builder. */
  seed?: number;
  /** Checkpoint file, rewritten atomically after every epoch. */
  checkpoint?: string;
  /** Continue from `checkpoint` when it exists (a killed run then ends as if it had never stopped). */
  resume?: boolean;
  /** Called after every epoch (after training); the metrics it returns are recorded and checkpointed. */
  onEpochEnd?: (record: EpochRecord) => Promise<Record<string, number> | void> | Record<string, number> | void;
  /** Show a progress bar on stderr (loss, images/s, ETA). */
  progress?: boolean;
  /** Stops the run after the current step; the last completed epoch stays checkpointed. */
  signal?: AbortSignal;
  /** Free metadata saved in the checkpoint (model options, data description). */
  meta?: Record<string, unknown>;
  /** Log lines (default: nothing). */
  log?: (line: string) => void;
}

/** Result of {@link train}. */
export interface TrainResult {
  /** Every epoch of the run, including those done before a resume. */
  history: EpochRecord[];
  /** Epochs completed (equals `epochs` unless the run was aborted). */
  epochsDone: number;
  /** Optimisation steps completed. */
  steps: number;
  /** Whether the run continued from a checkpoint. */
  resumed: boolean;
}

/** The generator of one epoch: a function of the run seed and the epoch only. */
export function epochRandom(seed: number, epoch: number): () => number {
  return mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) >>> 0);
}

/**
 * Trains `model` by mini-batch gradient descent: per step, forward in training mode, loss, backward
 * and an optimizer update of the trainable weights, with the learning rate of the schedule. After every
 * epoch it calls `onEpochEnd` and writes the checkpoint (weights + optimizer slots + epoch + step +
 * generator state + history). With `resume`, a run that was killed continues from its last checkpoint
 * and gives the same weights as an uninterrupted run (same seed, deterministic single-thread kernels).
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { model, epochs, stepsPerEpoch } = options;
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 0;
  const optimizerConfig = options.optimizer ?? { kind: 'adam', learningRate: 1e-3 };
  const optimizer = makeOptimizer(optimizerConfig);
  const schedule = options.schedule ?? { kind: 'constant' };
  const totalSteps = epochs * stepsPerEpoch;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);

  let history: EpochRecord[] = [];
  let startEpoch = 0;
  let step = 0;
  let resumed = false;
  if (options.resume && options.checkpoint && existsSync(options.checkpoint)) {
    const ckpt = loadCheckpoint(options.checkpoint);
    restoreModelWeights(model, ckpt.model, options.checkpoint);
    await restoreOptimizerState(optimizer, ckpt.optimizer, options.checkpoint);
    startEpoch = ckpt.epoch;
    step = ckpt.step;
    history = (ckpt.meta?.history as EpochRecord[] | undefined) ?? [];
    resumed = true;
    log(`resumed from ${options.checkpoint} at epoch ${startEpoch + 1}/${epochs} (step ${step})`);
  }

  const bar = options.progress
    ? new cliProgress.SingleBar(
        { format: 'epoch {epoch} [{bar}] {value}/{total} | loss {loss} | {speed} img/s | ETA {eta_formatted}', stream: process.stderr, etaBuffer: 20, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;

  try {
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      if (options.signal?.aborted) break;
      const random = epochRandom(seed, epoch);
      let lossSum = 0;
      let batches = 0;
      let images = 0;
      let lr = learningRateAt(step, { base: optimizerConfig.learningRate, schedule, totalSteps, warmupSteps: options.warmupSteps });
      bar?.start(stepsPerEpoch, 0, { epoch: `${epoch + 1}/${epochs}`, loss: '-', speed: '-' });
      const t0 = performance.now();
      let aborted = false;
      for await (const batch of options.data(epoch, random)) {
        lr = learningRateAt(step, { base: optimizerConfig.learningRate, schedule, totalSteps, warmupSteps: options.warmupSteps });
        setLearningRate(optimizer, lr);
        const cost = optimizer.minimize(() => options.loss(model.apply(batch.x, { training: true }) as tf.Tensor, batch.y), true, variables);
        const lossValue = cost ? (cost.dataSync()[0] as number) : NaN;
        cost?.dispose();
        images += batch.x.shape[0];
        tf.dispose([batch.x, batch.y]);
        lossSum += lossValue;
        batches++;
        step++;
        if (!Number.isFinite(lossValue)) throw new Error(`training diverged: loss ${lossValue} at epoch ${epoch + 1}, step ${step}`);
        bar?.update(batches, { loss: (lossSum / batches).toFixed(4), speed: (images / ((performance.now() - t0) / 1000)).toFixed(1) });
        if (options.signal?.aborted) {
          aborted = true;
          break;
        }
      }
      bar?.stop();
      if (aborted) break;
      const seconds = (performance.now() - t0) / 1000;
      const record: EpochRecord = { epoch, loss: lossSum / Math.max(batches, 1), learningRate: lr, seconds, imagesPerSecond: images / seconds, metrics: {} };
      const metrics = await options.onEpochEnd?.(record);
      if (metrics) record.metrics = metrics;
      history.push(record);
      log(`epoch ${epoch + 1}/${epochs}: loss ${record.loss.toFixed(4)}, ${record.imagesPerSecond.toFixed(1)} img/s${Object.entries(record.metrics).map(([k, v]) => `, ${k} ${v.toFixed(4)}`).join('')}`);
      if (options.checkpoint) {
        saveCheckpoint(options.checkpoint, {
          epoch: epoch + 1,
          step,
          rng: { seed, state: epoch + 1 },
          model: captureModelWeights(model),
          optimizer: await captureOptimizerState(optimizer),
          optimizerName: optimizerConfig.kind,
          meta: { ...(options.meta ?? {}), optimizer: optimizerConfig, schedule, history },
        });
      }
    }
  } finally {
    bar?.stop();
    optimizer.dispose();
  }
  return { history, epochsDone: history.length, steps: step, resumed };
}
