import type { DetectorFamily } from '../detection/detector.js';
import { MASK_RCNN_TRAIN_OPTIONS } from './options.js';
import { MaskRCNN, type MaskRcnnOptions } from './mask-rcnn.js';

/** Mask R-CNN in the detector registry. */
export const maskRcnnFamily: DetectorFamily = {
  kind: 'mask-rcnn',
  title: 'Mask R-CNN (He et al. 2017)',
  format: 'detseg-mask-rcnn',
  needsProposals: false,
  masks: true,
  lossNames: ['loss_objectness', 'loss_rpn_box_reg', 'loss_classifier', 'loss_box_reg', 'loss_mask'],
  build: (options) => new MaskRCNN(options as MaskRcnnOptions),
  defaultOptions: MASK_RCNN_TRAIN_OPTIONS as Record<string, unknown>,
  train: { steps: 3000, learningRate: 1e-3 },
  shipped: [
    { name: 'mask-rcnn', file: 'detector-mask-rcnn.ckpt', description: 'synthetic shapes with instance masks, 128² images, backbone 32-64-128' },
    { name: 'pedestrian-mask-rcnn', file: 'pedestrian-mask-rcnn.ckpt', description: 'Penn-Fudan pedestrian photographs (128 training images), 256² letterbox, from scratch; the command in docs/rcnn-family.md' },
  ],
};
