import { horizontalFlip } from '../../data/augment.js';
import { syntheticSample, type SyntheticOptions, type SyntheticSample } from '../../data/synthetic.js';
import type { DetectionTarget } from './types.js';

export { imagesToTensor } from './images-tensor.js';

/**
 * The adapter from the synthetic-shapes generator (`src/data/synthetic.ts`) to detector inputs: image
 * tensors and per-image targets with labels 1..C (0 is the background).
 */

/** A synthetic image with its detection target. */
export interface DetectionSample {
  /** The generator's sample (RGB bytes, boxes, 0-based labels, masks). */
  sample: SyntheticSample;
  /** Boxes, labels 1 + class index, and the instance masks. */
  target: DetectionTarget;
}

/** Images `index0 .. index0 + count − 1` of the synthetic set `seed`, with their targets. */
export function syntheticDetectionSet(seed: number, count: number, options: SyntheticOptions = {}, index0 = 0): DetectionSample[] {
  const out: DetectionSample[] = [];
  for (let i = 0; i < count; i++) {
    const sample = syntheticSample(seed, index0 + i, options);
    out.push({ sample, target: { boxes: sample.boxes, labels: sample.labels.map((l) => l + 1), masks: sample.masks } });
  }
  return out;
}

/** Left–right flip of a sample's image, boxes and masks (a training augmentation; `horizontalFlip` of `src/data/augment.ts`). */
export function flipDetectionSample(s: DetectionSample): DetectionSample {
  const { width, height } = s.sample;
  const f = horizontalFlip({ image: { data: s.sample.image, width, height }, boxes: s.target.boxes, labels: s.target.labels, masks: s.target.masks });
  return { sample: { ...s.sample, image: f.image.data, boxes: f.boxes, masks: f.masks ?? s.sample.masks }, target: { boxes: f.boxes, labels: f.labels, masks: f.masks } };
}
