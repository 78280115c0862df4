import { FASTER_RCNN_TRAIN_OPTIONS } from '../faster-rcnn/options.js';
import type { MaskRcnnOptions } from './mask-rcnn.js';

/**
 * The options the shipped Mask R-CNN was trained with: the Faster R-CNN ones plus a mask branch
 * (14×14 → 28×28, width 32) that pools the stride-4 backbone stage beside the stride-8 feature map.
 */
export const MASK_RCNN_TRAIN_OPTIONS: MaskRcnnOptions = { ...FASTER_RCNN_TRAIN_OPTIONS, maskFeatureStages: [1] };
