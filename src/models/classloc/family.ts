import type { DetectorFamily } from '../detection/detector.js';
import { ClassLocNet, type ClassLocOptions } from './classloc.js';
import { CLASSLOC_TRAIN_OPTIONS } from './options.js';

/** Classification + localization of one object in the detector registry (one detection per image). */
export const classLocFamily: DetectorFamily = {
  kind: 'classloc',
  title: 'classification + localization of one object (multitask loss)',
  format: 'detseg-classloc',
  needsProposals: false,
  masks: false,
  lossNames: ['loss_classifier', 'loss_box_reg'],
  singleObject: true,
  build: (options) => new ClassLocNet(options as ClassLocOptions),
  defaultOptions: CLASSLOC_TRAIN_OPTIONS as Record<string, unknown>,
  train: { steps: 3000, learningRate: 1e-3 },
  shipped: [
    {
      name: 'classloc',
      file: 'classloc.ckpt',
      description: 'synthetic shapes, one per 64² image (seed 1, 16,000 images, 4 epochs); the command in docs/localization.md',
    },
  ],
};
