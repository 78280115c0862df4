import { appendSyntheticSample, emptySyntheticCoco } from '../../data/synthetic-coco.js';
import { maskToCocoRle } from '../../masks/coco-mask.js';
import { evaluateCocoJson, type CocoEvalResult } from '../../eval/coco.js';
import type { DetectionSample } from './synthetic-data.js';
import type { Detections } from './types.js';

/**
 * Evaluation glue: detections of synthetic images → COCO results, scored by `src/eval/coco.ts`
 * (pycocotools' COCOeval) against the images' ground truth (category ids 1..3 = detector labels).
 */

/** The COCO results list of `detections` (image i of `samples` has id i + 1); masks become compressed RLEs. */
export function detectionsToCocoResults(samples: DetectionSample[], detections: Detections[], withMasks = false): object[] {
  const results: object[] = [];
  detections.forEach((d, i) => {
    const { width, height } = samples[i].sample;
    const scratch = new Uint8Array(width * height);
    for (let j = 0; j < d.labels.length; j++) {
      const b = d.boxes.subarray(4 * j, 4 * j + 4);
      const result: Record<string, unknown> = { image_id: i + 1, category_id: d.labels[j], bbox: [b[0], b[1], b[2] - b[0], b[3] - b[1]], score: d.scores[j] };
      if (withMasks && d.masks) result.segmentation = maskToCocoRle(d.masks[j], width, height, scratch);
      results.push(result);
    }
  });
  return results;
}

/**
 * COCO evaluation of `detections` (one per sample) with `iouType` 'bbox' or 'segm' (masks needed).
 * `stats[0]` is COCO mAP (IoU .50:.95), `stats[1]` mAP@0.5.
 */
export function evaluateDetections(samples: DetectionSample[], detections: Detections[], iouType: 'bbox' | 'segm' = 'bbox'): CocoEvalResult {
  const gt = emptySyntheticCoco();
  samples.forEach((s, i) => appendSyntheticSample(gt, i, s.sample));
  return evaluateCocoJson(gt, detectionsToCocoResults(samples, detections, iouType === 'segm'), { iouType, gtFile: 'synthetic ground truth', dtFile: 'detections' });
}
