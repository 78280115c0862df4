import * as tf from '@tensorflow/tfjs';
import { syntheticSample } from '../../src/data/synthetic.js';
import { decodeCheckpoint } from '../../src/engine/checkpoint.js';
import { loadDetectorWeights } from '../../src/models/detection/checkpoint.js';
import { imagesToTensor } from '../../src/models/detection/synthetic-data.js';
import { FasterRCNN, type FasterRcnnOptions } from '../../src/models/faster-rcnn/faster-rcnn.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { fingerprint, type BytesFingerprint } from './workload.js';

/**
 * The shipped Faster R-CNN's inference, run by the browser model test both in Node and in Chromium on
 * tfjs' plain-JavaScript `cpu` backend: the checkpoint's bytes are decoded (`decodeCheckpoint`), the model
 * is rebuilt from the options stored in it, and it predicts on held-out synthetic images (seed 2, the
 * evaluation's). In the browser this module's graph needs an import map (`test/browser/models.html`):
 * `@tensorflow/tfjs` → tfjs' ESM bundle, and stand-ins (`stubs/`) for the Node-only modules that the
 * model files import but inference never calls (`node:fs`, `node:path`, `sharp`, `cli-progress`).
 */

/** Per image: the detections (as fingerprints and as plain numbers) and the time `predict` took. */
export interface ModelWorkloadOutput {
  backend: string;
  images: Array<{
    boxes: BytesFingerprint;
    scores: BytesFingerprint;
    labels: BytesFingerprint;
    /** The same values, for tolerance comparisons and messages. */
    boxValues: number[];
    scoreValues: number[];
    labelValues: number[];
  }>;
  /** Wall time of each `predict` call, ms. */
  predictMs: number[];
}

/** Held-out images of the evaluation: synthetic shapes, seed 2, 128 × 128. */
export const HELD_OUT_SEED = 2;

/**
 * Runs the shipped Faster R-CNN (checkpoint bytes `detector-faster-rcnn.ckpt`) on `count` held-out images,
 * one `predict` per image, on tfjs' `cpu` backend.
 */
export async function runModelWorkload(checkpointBytes: Uint8Array, count: number): Promise<ModelWorkloadOutput> {
  await tf.setBackend('cpu');
  await tf.ready();
  const file = 'detector-faster-rcnn.ckpt';
  const checkpoint = decodeCheckpoint(checkpointBytes, file);
  const options = checkpoint.meta?.options;
  if (checkpoint.meta?.format !== 'detseg-faster-rcnn' || options === undefined) throw new DetsegInputError('not a Faster R-CNN checkpoint', { file, field: 'meta.format' });
  const model = new FasterRCNN(options as FasterRcnnOptions);
  try {
    loadDetectorWeights(file, model.models(), checkpoint);
    const images: ModelWorkloadOutput['images'] = [];
    const predictMs: number[] = [];
    for (let i = 0; i < count; i++) {
      const sample = syntheticSample(HELD_OUT_SEED, i, { size: 128 });
      const input = imagesToTensor([sample.image], sample.height, sample.width); // [1, H, W, 3]
      const start = performance.now();
      const [detections] = model.predict(input);
      predictMs.push(performance.now() - start);
      input.dispose();
      images.push({
        boxes: fingerprint(detections.boxes),
        scores: fingerprint(detections.scores),
        labels: fingerprint(detections.labels),
        boxValues: [...detections.boxes],
        scoreValues: [...detections.scores],
        labelValues: [...detections.labels],
      });
    }
    return { backend: tf.getBackend(), images, predictMs };
  } finally {
    model.dispose();
  }
}
