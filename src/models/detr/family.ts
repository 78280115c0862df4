import type { DetectorFamily } from '../detection/detector.js';
import { DetrNet, type DetrOptions } from './detr.js';
import { DETR_TRAIN_OPTIONS } from './options.js';

/** DETR in the detector registry: set prediction with Hungarian matching, no anchors, no NMS. */
export const detrFamily: DetectorFamily = {
  kind: 'detr',
  title: 'DETR (Carion et al. 2020): transformer set prediction with Hungarian matching',
  format: 'detseg-detr',
  needsProposals: false,
  masks: false,
  lossNames: ['loss_ce', 'loss_bbox', 'loss_giou'],
  build: (options) => new DetrNet(options as DetrOptions),
  defaultOptions: DETR_TRAIN_OPTIONS as Record<string, unknown>,
  train: { steps: 20000, learningRate: 5e-4 },
  shipped: [{ name: 'detr', file: 'detector-detr.ckpt', description: 'synthetic shapes, 128² images, two-stage queries with proposal NMS, query-class pairs, the frozen 32-64-128 backbone of the SSD; 152,000 images seen in five cosine cycles' }],
};
