import * as tf from '@tensorflow/tfjs';

/**
 * The optimizers of the engine's training loops (`train.ts`, and the detectors' loop
 * `src/models/detection/train-loop.ts`), made from a plain config. Apart from `train.ts` (which reads and
 * writes checkpoint files and draws a progress bar) so that the model files, which import the detector
 * loop, load in a browser.
 */

/** Optimizer of a run. */
export type OptimizerConfig =
  | { kind: 'adam'; learningRate: number; beta1?: number; beta2?: number; epsilon?: number }
  | { kind: 'sgd'; learningRate: number; momentum?: number; nesterov?: boolean };

/** The optimizer of a config. */
export function makeOptimizer(config: OptimizerConfig): tf.Optimizer {
  if (config.kind === 'adam') return tf.train.adam(config.learningRate, config.beta1 ?? 0.9, config.beta2 ?? 0.999, config.epsilon ?? 1e-7);
  if (config.kind === 'sgd') return tf.train.momentum(config.learningRate, config.momentum ?? 0.9, config.nesterov ?? false);
  throw new RangeError(`unknown optimizer ${(config as { kind: string }).kind}`);
}

/** Sets the learning rate of an optimizer made by {@link makeOptimizer}. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}
