import * as tf from '@tensorflow/tfjs';
import { detectorFromCheckpointBytes, imagesToTensor } from '../../src/browser/models.js';
import { syntheticSample } from '../../src/data/synthetic.js';
import { fingerprint, type BytesFingerprint } from './workload.js';

/**
 * A shipped detector's inference (Faster R-CNN or Mask R-CNN), run by the browser model test both in Node
 * and in Chromium on tfjs' plain-JavaScript `cpu` backend, through the browser entry
 * `src/browser/models.ts` only: the checkpoint's bytes are decoded and the model is rebuilt from the
 * options stored in it (`detectorFromCheckpointBytes`, whose `meta.format` picks the class), and it
 * predicts on held-out synthetic images (seed 2, the evaluation's). In the browser this module's graph
 * needs one import map entry (`test/browser/models.html`): `@tensorflow/tfjs` → tfjs' ESM bundle.
 */

/** Per image: the detections (as fingerprints and as plain numbers) and the time `predict` took. */
export interface ModelWorkloadOutput {
  /** 'faster-rcnn' or 'mask-rcnn' (from the checkpoint's `meta.format`). */
  kind: string;
  backend: string;
  images: Array<{
    boxes: BytesFingerprint;
    scores: BytesFingerprint;
    labels: BytesFingerprint;
    /** Mask R-CNN: the N masks back to back, `Uint8Array [N, H, W]`. */
    masks?: BytesFingerprint;
    /** The same values, for tolerance comparisons and messages. */
    boxValues: number[];
    scoreValues: number[];
    labelValues: number[];
    /** Mask R-CNN, when asked for (`keepMasks`): the masks themselves, each `Uint8Array [H, W]` (not sent out of a page). */
    maskValues?: Uint8Array[];
  }>;
  /** Wall time of each `predict` call, ms. */
  predictMs: number[];
}

/** Held-out images of the evaluation: synthetic shapes, seed 2, 128 × 128. */
export const HELD_OUT_SEED = 2;

/** The N masks of an image back to back: `Uint8Array [N, H, W]`. */
function concatMasks(masks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(masks.reduce((n, m) => n + m.length, 0));
  let at = 0;
  for (const mask of masks) {
    out.set(mask, at);
    at += mask.length;
  }
  return out;
}

/**
 * Runs the detector of `checkpointBytes` (a shipped `detector-faster-rcnn.ckpt` or `detector-mask-rcnn.ckpt`,
 * named `file` in errors) on `count` held-out images, one `predict` per image, on tfjs' `cpu` backend.
 * `keepMasks` also returns the masks themselves (for checks in Node; a page returns fingerprints only).
 */
export async function runModelWorkload(checkpointBytes: Uint8Array, file: string, count: number, keepMasks = false): Promise<ModelWorkloadOutput> {
  await tf.setBackend('cpu');
  await tf.ready();
  const detector = detectorFromCheckpointBytes(checkpointBytes, file);
  try {
    const images: ModelWorkloadOutput['images'] = [];
    const predictMs: number[] = [];
    for (let i = 0; i < count; i++) {
      const sample = syntheticSample(HELD_OUT_SEED, i, { size: 128 });
      const input = imagesToTensor([sample.image], sample.height, sample.width); // [1, H, W, 3]
      const start = performance.now();
      const [detections] = detector.model.predict(input);
      predictMs.push(performance.now() - start);
      input.dispose();
      const masks = detections.masks;
      images.push({
        boxes: fingerprint(detections.boxes),
        scores: fingerprint(detections.scores),
        labels: fingerprint(detections.labels),
        ...(masks !== undefined ? { masks: fingerprint(concatMasks(masks)) } : {}),
        boxValues: [...detections.boxes],
        scoreValues: [...detections.scores],
        labelValues: [...detections.labels],
        ...(masks !== undefined && keepMasks ? { maskValues: masks } : {}),
      });
    }
    return { kind: detector.kind, backend: tf.getBackend(), images, predictMs };
  } finally {
    detector.model.dispose();
  }
}
