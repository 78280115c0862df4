import type { DetectorFamily } from '../detection/detector.js';
import { FAST_RCNN_TRAIN_OPTIONS } from './options.js';
import { FastRCNN, type FastRcnnOptions } from './fast-rcnn.js';

/** Fast R-CNN in the detector registry: external (selective-search) proposals. */
export const fastRcnnFamily: DetectorFamily = {
  kind: 'fast-rcnn',
  title: 'Fast R-CNN (Girshick 2015)',
  format: 'detseg-fast-rcnn',
  needsProposals: true,
  masks: false,
  lossNames: ['loss_classifier', 'loss_box_reg'],
  build: (options) => new FastRCNN(options as FastRcnnOptions),
  defaultOptions: FAST_RCNN_TRAIN_OPTIONS as Record<string, unknown>,
  train: { steps: 300, learningRate: 3e-4 },
  shipped: [{ name: 'fast-rcnn', file: 'detector-fast-rcnn.ckpt', description: 'synthetic shapes, fine-tuned from faster-rcnn-small (selective-search proposals)' }],
};
