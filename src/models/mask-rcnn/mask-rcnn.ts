import { MaskBranch, type MaskBranchOptions } from '../detection/mask-branch.js';
import { FasterRCNN, type FasterRcnnOptions } from '../faster-rcnn/faster-rcnn.js';
import type * as tf from '@tensorflow/tfjs';

/** Options of {@link MaskRCNN}: Faster R-CNN's, plus the mask branch ({@link MaskBranchOptions}). */
export interface MaskRcnnOptions extends FasterRcnnOptions, MaskBranchOptions {}

/**
 * Mask R-CNN (He, Gkioxari, Dollár, Girshick 2017): Faster R-CNN plus a mask branch
 * ({@link MaskBranch}): `forwardTrain` adds `loss_mask` to the four Faster R-CNN losses (targets need
 * `masks`), and `predict` gives each detection a `Uint8Array [H, W]` mask.
 */
export class MaskRCNN extends FasterRCNN {
  declare readonly mask: MaskBranch;

  constructor(options: MaskRcnnOptions = {}) {
    super(options, (backbone, numClasses, seed) => new MaskBranch(backbone, numClasses, options, seed));
  }

  /** The mask head (`[K, p, p, C + ΣC_s]` → logits `[K, 2p, 2p, C]`). */
  get maskHead(): tf.LayersModel {
    return this.mask.head;
  }
}
