import * as tf from '@tensorflow/tfjs';
import { makeOptimizer, setLearningRate, type OptimizerConfig } from '../../engine/optimizer.js';
import { learningRateAt, type LrSchedule } from '../../engine/schedule.js';
import type { DetectionTarget, LossValues } from './types.js';

/** A detector that can take an optimisation step (Faster R-CNN, Fast R-CNN, R-CNN, Mask R-CNN here). */
export interface TrainableDetector {
  /** `proposals`: external proposals per image, for the detectors that take them (Fast R-CNN, R-CNN). */
  trainStep(optimizer: tf.Optimizer, images: tf.Tensor4D, targets: DetectionTarget[], proposals?: Float32Array[]): LossValues;
}

/** One mini-batch: images `[B, H, W, 3]` (disposed by the loop) and their targets. */
export interface DetectionBatch {
  images: tf.Tensor4D;
  targets: DetectionTarget[];
  /** External proposals per image (`Float32Array [K_b,4] xyxy`), for Fast R-CNN and R-CNN. */
  proposals?: Float32Array[];
}

/** Options of {@link trainDetector}. */
export interface DetectorTrainOptions {
  detector: TrainableDetector;
  /** The batch of step `step` (0-based); must be deterministic for a reproducible run. */
  batch: (step: number) => DetectionBatch;
  /** Optimisation steps. */
  steps: number;
  /** Optimizer (default Adam, learning rate 1e-3). */
  optimizer?: OptimizerConfig;
  /** Learning-rate schedule over the run (default cosine). */
  schedule?: LrSchedule;
  /** Linear warm-up steps (default 0). */
  warmupSteps?: number;
  /** Stop early (after the current step) once this many seconds of training have passed. */
  timeBudgetSeconds?: number;
  /** Called every `reportEvery` steps (default 50) with the mean losses since the last report. */
  onReport?: (step: number, meanLosses: LossValues, seconds: number) => void;
  reportEvery?: number;
}

/** What {@link trainDetector} did. */
export interface DetectorTrainResult {
  /** Steps taken (fewer than asked when the time budget ran out). */
  steps: number;
  /** Wall-clock seconds of training. */
  seconds: number;
  /** Mean losses of every report period, with the step it ended at. */
  history: Array<{ step: number; losses: LossValues }>;
}

/**
 * Trains a detector by mini-batch gradient descent with the engine's optimizers and learning-rate
 * schedules (`src/engine/train.ts`, `schedule.ts`). The engine's `train` loop is for dense per-pixel
 * targets through a single layers model; a detector's targets are assigned per step on typed arrays
 * inside its own `trainStep`, so this loop only drives steps, schedule, reports and the time budget.
 */
export function trainDetector(options: DetectorTrainOptions): DetectorTrainResult {
  const optimizerConfig = options.optimizer ?? { kind: 'adam', learningRate: 1e-3 };
  const optimizer = makeOptimizer(optimizerConfig);
  const schedule = options.schedule ?? { kind: 'cosine' };
  const reportEvery = options.reportEvery ?? 50;
  const history: DetectorTrainResult['history'] = [];
  const t0 = performance.now();
  let sums: LossValues = {};
  let count = 0;
  let step = 0;
  try {
    for (; step < options.steps; step++) {
      if (options.timeBudgetSeconds !== undefined && (performance.now() - t0) / 1000 > options.timeBudgetSeconds) break;
      const lr = learningRateAt(step, { base: optimizerConfig.learningRate, schedule, totalSteps: options.steps, warmupSteps: options.warmupSteps });
      setLearningRate(optimizer, lr);
      const { images, targets, proposals } = options.batch(step);
      let losses: LossValues;
      try {
        losses = options.detector.trainStep(optimizer, images, targets, proposals);
      } finally {
        images.dispose();
      }
      if (!Number.isFinite(losses.loss)) throw new Error(`training diverged: loss ${losses.loss} at step ${step + 1}`);
      for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v;
      count++;
      if (count === reportEvery || step === options.steps - 1) {
        const mean = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count]));
        history.push({ step: step + 1, losses: mean });
        options.onReport?.(step + 1, mean, (performance.now() - t0) / 1000);
        sums = {};
        count = 0;
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { steps: step, seconds: (performance.now() - t0) / 1000, history };
}

/**
 * One optimisation step on the sum of named scalar losses: `losses()` runs inside the gradient scope;
 * `variables` are updated. Returns each loss's value and their sum as `loss`.
 */
export function minimizeLosses(optimizer: tf.Optimizer, variables: tf.Variable[], losses: () => Record<string, tf.Scalar>): LossValues {
  const values: LossValues = {};
  const cost = optimizer.minimize(() => {
    const named = losses();
    for (const [name, t] of Object.entries(named)) values[name] = t.dataSync()[0];
    return tf.addN(Object.values(named)) as tf.Scalar;
  }, true, variables);
  values.loss = cost!.dataSync()[0];
  cost!.dispose();
  return values;
}
