import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { iouPair } from '../../../src/boxes/iou.js';
import { imagesToTensor, type DetectionSample } from '../../../src/models/detection/synthetic-data.js';
import type { DetectionTarget, Detections } from '../../../src/models/detection/types.js';

/** Whether every ground-truth object has a detection of its class with IoU ≥ `minIou` and score ≥ `minScore`. */
export function everyObjectFound(gt: DetectionTarget, det: Detections, minIou: number, minScore: number): boolean {
  for (let g = 0; g < gt.labels.length; g++) {
    let found = false;
    for (let j = 0; j < det.labels.length && !found; j++) {
      const iou = iouPair(det.boxes[4 * j], det.boxes[4 * j + 1], det.boxes[4 * j + 2], det.boxes[4 * j + 3], gt.boxes[4 * g], gt.boxes[4 * g + 1], gt.boxes[4 * g + 2], gt.boxes[4 * g + 3]);
      found = det.labels[j] === gt.labels[g] && iou >= minIou && det.scores[j] >= minScore;
    }
    if (!found) return false;
  }
  return true;
}

/** A detector trained and run on external proposals (R-CNN, Fast R-CNN). */
interface ProposalDetector {
  trainStep(optimizer: tf.Optimizer, images: tf.Tensor4D, targets: DetectionTarget[], proposals?: Float32Array[]): Record<string, number>;
  predict(images: tf.Tensor4D, proposals: Float32Array[]): Detections[];
  dispose(): void;
}

/**
 * Trains `model` on the one image of `d` with its `proposals` for `steps` Adam steps (learning rate
 * 3e-3), then asserts that the mean loss of the last 10 steps is below 0.3 × the first and that every
 * object is found (IoU ≥ 0.6, score ≥ 0.5). Disposes the model.
 */
export function assertOverfitsOnProposals(model: ProposalDetector, d: DetectionSample, proposals: Float32Array[], steps: number): void {
  const images = imagesToTensor([d.sample.image], d.sample.width, d.sample.height);
  const optimizer = tf.train.adam(3e-3);
  const history = Array.from({ length: steps }, () => model.trainStep(optimizer, images, [d.target], proposals));
  const last = history.slice(-10).reduce((s, h) => s + h.loss, 0) / 10;
  assert.ok(last < 0.3 * history[0].loss, `loss ${history[0].loss} → ${last}`);
  const [det] = model.predict(images, proposals);
  assert.ok(everyObjectFound(d.target, det, 0.6, 0.5));
  optimizer.dispose();
  images.dispose();
  model.dispose();
}
