import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../src/engine/train.js';

/**
 * Synthetic segmentation batches for tests: bright discs on a noisy background, target = the disc mask.
 * `random` decides the disc positions and the noise, so batches are reproducible.
 * x: [B, size, size, 1], y: [B, size, size, 1] (0/1).
 */
export function discBatch(random: () => number, batchSize: number, size: number): Batch {
  const x = new Float32Array(batchSize * size * size);
  const y = new Float32Array(batchSize * size * size);
  for (let b = 0; b < batchSize; b++) {
    const cx = size * (0.3 + 0.4 * random());
    const cy = size * (0.3 + 0.4 * random());
    const r = size * (0.15 + 0.1 * random());
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const k = (b * size + i) * size + j;
        const inside = (i + 0.5 - cy) ** 2 + (j + 0.5 - cx) ** 2 <= r * r;
        y[k] = inside ? 1 : 0;
        x[k] = (inside ? 0.8 : 0.2) + 0.2 * (random() - 0.5);
      }
    }
  }
  return { x: tf.tensor4d(x, [batchSize, size, size, 1]), y: tf.tensor4d(y, [batchSize, size, size, 1]) };
}

/**
 * Fits `model` to one fixed batch with Adam for `steps` steps and returns the loss (in inference mode)
 * before and after: the "can it overfit a tiny batch" check of a model and its gradients.
 */
export function overfit(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, loss: (logits: tf.Tensor, target: tf.Tensor) => tf.Scalar, steps: number, learningRate: number): { first: number; last: number } {
  const optimizer = tf.train.adam(learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const lossNow = () => tf.tidy(() => loss(model.apply(x) as tf.Tensor, y).dataSync()[0]);
  const first = lossNow();
  for (let i = 0; i < steps; i++) optimizer.minimize(() => loss(model.apply(x, { training: true }) as tf.Tensor, y), false, vars);
  const last = lossNow();
  optimizer.dispose();
  return { first, last };
}
