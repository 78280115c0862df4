import type { BackboneOptions } from '../backbone/backbone.js';
import { GeneralizedRCNN } from '../detection/generalized-rcnn.js';
import type { RoiHeadsOptions } from '../detection/roi-heads.js';
import { fasterRcnnParts } from '../faster-rcnn/faster-rcnn.js';

/** Options of {@link FastRCNN}. */
export interface FastRcnnOptions {
  /** Object classes C (default 3). */
  numClasses?: number;
  backbone?: BackboneOptions;
  /** Second stage; the pooler defaults to RoI Pool 7×7 (Girshick 2015). */
  roiHeads?: Omit<RoiHeadsOptions, 'numClasses'>;
  /** Width of the box head's two FC layers (default 128). */
  representationSize?: number;
  seed?: number;
}

/**
 * Fast R-CNN (Girshick 2015): the backbone runs once per image; each external proposal (selective
 * search here) is max-pooled from the feature map by RoI Pool 7×7 and classified by the same two-FC box
 * head as Faster R-CNN (softmax over background + C, class-specific deltas, smooth L1). It is
 * {@link GeneralizedRCNN} without a region proposal network: `forwardTrain` and `predict` take the
 * proposals of each image. The layer names equal Faster R-CNN's, so a Faster R-CNN checkpoint
 * initialises it.
 */
export class FastRCNN extends GeneralizedRCNN {
  constructor(readonly options: FastRcnnOptions = {}) {
    super(options.numClasses ?? 3, fasterRcnnParts(options, false, 'pool'), options.seed ?? 0);
  }
}
