import type { DetectorFamily } from '../detection/detector.js';
import { SSD_TRAIN_OPTIONS } from './options.js';
import { SSD, type SsdOptions } from './ssd.js';

/** SSD in the detector registry. */
export const ssdFamily: DetectorFamily = {
  kind: 'ssd',
  title: 'SSD (Liu et al. 2016)',
  format: 'detseg-ssd',
  needsProposals: false,
  masks: false,
  lossNames: ['bbox_regression', 'classification'],
  build: (options) => new SSD(options as SsdOptions),
  defaultOptions: SSD_TRAIN_OPTIONS as Record<string, unknown>,
  train: { steps: 3000, learningRate: 1e-3 },
  shipped: [{ name: 'ssd', file: 'detector-ssd.ckpt', description: 'synthetic shapes, 128² images, backbone 32-64-128, default boxes on the stride 4, 8, 16, 32 maps' }],
};
