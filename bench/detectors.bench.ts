import * as tf from '@tensorflow/tfjs';
import type { Bench } from './harness.js';
import { initEngine } from '../src/engine/setup.js';
import { FAST_RCNN_TRAIN_OPTIONS } from '../src/models/fast-rcnn/options.js';
import { FastRCNN } from '../src/models/fast-rcnn/fast-rcnn.js';
import { FASTER_RCNN_TRAIN_OPTIONS } from '../src/models/faster-rcnn/options.js';
import { FasterRCNN } from '../src/models/faster-rcnn/faster-rcnn.js';
import { MaskRCNN } from '../src/models/mask-rcnn/mask-rcnn.js';
import { MASK_RCNN_TRAIN_OPTIONS } from '../src/models/mask-rcnn/options.js';
import { pasteMask } from '../src/models/detection/mask-paste.js';
import { selectiveSearchProposals } from '../src/models/detection/selective-search-proposals.js';
import { imagesToTensor, syntheticDetectionSet } from '../src/models/detection/synthetic-data.js';
import { RCNN_TRAIN_OPTIONS } from '../src/models/rcnn/options.js';
import { RCNN } from '../src/models/rcnn/rcnn.js';
import { mulberry32 } from '../src/util/random.js';

/**
 * Detector benchmarks on 128×128 synthetic images with the shipped architectures (freshly initialised
 * weights: the speed does not depend on them, except through the number of detections): one Faster
 * R-CNN and one Mask R-CNN training step (batch 2, Adam), Faster R-CNN inference on one image,
 * selective-search proposals of one image (fast and quality modes), the networks of R-CNN (a backbone
 * pass per 128² warped proposal) and Fast R-CNN (one pass, RoI Pool) on that image's quality-mode
 * proposals, and pasting 100 masks of 28×28.
 * The R-CNN family comparison with trained weights is `detseg bench rcnn-family`.
 */
export async function detectorBenches(): Promise<Bench[]> {
  await initEngine();
  const data = syntheticDetectionSet(2, 2);
  const batch = () => imagesToTensor(data.map((d) => d.sample.image), 128, 128);
  const trainStep = (kind: 'faster' | 'mask') => () => {
    const model = kind === 'faster' ? new FasterRCNN(FASTER_RCNN_TRAIN_OPTIONS) : new MaskRCNN(MASK_RCNN_TRAIN_OPTIONS);
    const optimizer = tf.train.adam(1e-4);
    const images = batch();
    const targets = data.map((d) => d.target);
    return () => model.trainStep(optimizer, images, targets);
  };
  // one image's network time on its quality-mode selective-search proposals (computed once, not timed)
  const onQualityProposals = (build: () => { predict(images: tf.Tensor4D, proposals: Float32Array[]): unknown }) => () => {
    const model = build();
    const image = imagesToTensor([data[0].sample.image], 128, 128); // [1, 128, 128, 3]
    const proposals = [selectiveSearchProposals(data[0].sample.image, 128, 128, { mode: 'quality' })];
    return () => model.predict(image, proposals);
  };
  return [
    { name: 'detector: Faster R-CNN train step (2×128×128, Adam)', reps: 5, setup: trainStep('faster') },
    { name: 'detector: Mask R-CNN train step (2×128×128, Adam)', reps: 5, setup: trainStep('mask') },
    {
      name: 'detector: Faster R-CNN predict (1×128×128)',
      setup: () => {
        const model = new FasterRCNN(FASTER_RCNN_TRAIN_OPTIONS);
        const image = imagesToTensor([data[0].sample.image], 128, 128);
        return () => model.predict(image);
      },
    },
    { name: 'detector: selective search proposals (fast mode, 128×128)', setup: () => () => selectiveSearchProposals(data[0].sample.image, 128, 128, { mode: 'fast' }) },
    { name: 'detector: selective search proposals (quality mode, 128×128)', reps: 5, setup: () => () => selectiveSearchProposals(data[0].sample.image, 128, 128, { mode: 'quality' }) },
    { name: 'detector: R-CNN network on quality-mode proposals (1×128×128, 128² warps)', reps: 3, setup: onQualityProposals(() => new RCNN(RCNN_TRAIN_OPTIONS)) },
    { name: 'detector: Fast R-CNN network on the same proposals (1×128×128)', setup: onQualityProposals(() => new FastRCNN(FAST_RCNN_TRAIN_OPTIONS)) },
    {
      name: 'detector: paste 100 masks 28×28 into 128×128',
      setup: () => {
        const random = mulberry32(1);
        const masks = Array.from({ length: 100 }, () => Float32Array.from({ length: 28 * 28 }, () => random()));
        const boxes = Array.from({ length: 100 }, () => { const x = random() * 80, y = random() * 80; return [x, y, x + 10 + random() * 38, y + 10 + random() * 38]; });
        return () => masks.map((m, i) => pasteMask(m, 28, boxes[i], 128, 128));
      },
    },
  ];
}
