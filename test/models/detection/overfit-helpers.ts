import { iouPair } from '../../../src/boxes/iou.js';
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
