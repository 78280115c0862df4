import type { DetectorFamily } from '../detection/detector.js';
import { FASTER_RCNN_TRAIN_OPTIONS } from './options.js';
import { FasterRCNN, type FasterRcnnOptions } from './faster-rcnn.js';

/** Faster R-CNN in the detector registry. */
export const fasterRcnnFamily: DetectorFamily = {
  kind: 'faster-rcnn',
  title: 'Faster R-CNN (Ren et al. 2015)',
  format: 'detseg-faster-rcnn',
  needsProposals: false,
  masks: false,
  lossNames: ['loss_objectness', 'loss_rpn_box_reg', 'loss_classifier', 'loss_box_reg'],
  build: (options) => new FasterRCNN(options as FasterRcnnOptions),
  defaultOptions: FASTER_RCNN_TRAIN_OPTIONS as Record<string, unknown>,
  train: { steps: 6000, learningRate: 1e-3 },
  shipped: [
    { name: 'faster-rcnn', file: 'detector-faster-rcnn.ckpt', description: 'synthetic shapes (circle, square, triangle), 128² images, backbone 32-64-128' },
    { name: 'faster-rcnn-small', file: 'detector-faster-rcnn-small.ckpt', description: 'synthetic shapes, backbone 16-32-64: the speed family the shipped Fast R-CNN and R-CNN were fine-tuned from' },
  ],
};
