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
