import type { DetectorFamily } from '../detection/detector.js';
import { YOLOV1_TRAIN_OPTIONS } from './options.js';
import { YOLOv1, type YoloV1Options } from './yolov1.js';

/** YOLOv1 in the detector registry. */
export const yolov1Family: DetectorFamily = {
  kind: 'yolov1',
  title: 'YOLOv1 (Redmon et al. 2016)',
  format: 'detseg-yolov1',
  needsProposals: false,
  masks: false,
  lossNames: ['loss_coord', 'loss_size', 'loss_obj', 'loss_noobj', 'loss_class'],
  build: (options) => new YOLOv1(options as YoloV1Options),
  defaultOptions: YOLOV1_TRAIN_OPTIONS as Record<string, unknown>,
  train: { steps: 3000, learningRate: 1e-3 },
  shipped: [{ name: 'yolov1', file: 'detector-yolov1.ckpt', description: 'synthetic shapes, 128² images, backbone 32-64-128, S = 16, B = 2' }],
};
