import type { DetectorFamily } from '../detection/detector.js';
import { RCNN_TRAIN_OPTIONS } from './options.js';
import { RCNN, type RcnnOptions } from './rcnn.js';

/** R-CNN in the detector registry: every external proposal warped and classified on its own. */
export const rcnnFamily: DetectorFamily = {
  kind: 'rcnn',
  title: 'R-CNN (Girshick et al. 2014)',
  format: 'detseg-rcnn',
  needsProposals: true,
  masks: false,
  lossNames: ['loss_classifier', 'loss_box_reg'],
  build: (options) => new RCNN(options as RcnnOptions),
  defaultOptions: RCNN_TRAIN_OPTIONS as Record<string, unknown>,
  train: { steps: 300, learningRate: 3e-4 },
  shipped: [{ name: 'rcnn', file: 'detector-rcnn.ckpt', description: 'synthetic shapes, fine-tuned from faster-rcnn-small, 128² warps (selective-search proposals)' }],
};
