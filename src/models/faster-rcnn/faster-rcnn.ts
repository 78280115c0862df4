import { buildBackbone, type Backbone, type BackboneOptions } from '../backbone/backbone.js';
import { buildBoxHead } from '../detection/box-head.js';
import { GeneralizedRCNN } from '../detection/generalized-rcnn.js';
import type { MaskBranch } from '../detection/mask-branch.js';
import { RoiHeads, type RoiHeadsOptions } from '../detection/roi-heads.js';
import { buildRpnHead } from '../detection/rpn-head.js';
import { RegionProposalNetwork, type RpnOptions } from '../detection/rpn.js';

/** Options of {@link FasterRCNN}: every hyper-parameter of every part. */
export interface FasterRcnnOptions {
  /** Object classes C (default 3: circle, square, triangle). */
  numClasses?: number;
  backbone?: BackboneOptions;
  rpn?: RpnOptions;
  /** Second stage (RoI Align 7×7, sampler 512 / 25 %, coder 10, 10, 5, 5, NMS 0.5, …). */
  roiHeads?: Omit<RoiHeadsOptions, 'numClasses'>;
  /** Width of the box head's two FC layers (default 128). */
  representationSize?: number;
  /** Seed of every initialiser and sampler. */
  seed?: number;
}

/** The backbone, RPN and RoI heads of a Faster R-CNN of `options` (`pooler` overrides the RoI heads' default). */
export function fasterRcnnParts(options: FasterRcnnOptions, withRpn: boolean, pooler: 'align' | 'pool' = 'align'): { backbone: Backbone; rpn?: RegionProposalNetwork; roiHeads: RoiHeads } {
  const seed = options.seed ?? 0;
  const numClasses = options.numClasses ?? 3;
  const backbone = buildBackbone({ seed, ...options.backbone });
  let rpn: RegionProposalNetwork | undefined;
  if (withRpn) {
    const rpnOptions = { seed, ...options.rpn };
    const anchorsPerLocation = (rpnOptions.anchorSizes?.length ?? 3) * (rpnOptions.aspectRatios?.length ?? 3);
    rpn = new RegionProposalNetwork(buildRpnHead({ inChannels: backbone.channels, anchorsPerLocation, seed: seed + 1 }), backbone.stride, rpnOptions);
  }
  const roiOptions: RoiHeadsOptions = { seed, pooler, ...options.roiHeads, numClasses };
  const boxHead = buildBoxHead({ poolSize: roiOptions.poolSize ?? 7, inChannels: backbone.channels, numClasses, representationSize: options.representationSize, seed: seed + 2 });
  return { backbone, rpn, roiHeads: new RoiHeads(boxHead, backbone.stride, roiOptions) };
}

/**
 * Faster R-CNN (Ren, He, Girshick, Sun 2015) with torchvision's contract: a backbone, a region proposal
 * network (its head + {@link RegionProposalNetwork}), and RoI heads (RoI Align 7×7 → two FC layers →
 * class logits and class-specific deltas, {@link RoiHeads}), composed by {@link GeneralizedRCNN}.
 * `forwardTrain(images, targets)` returns the four named losses; `predict(images)` the detections of
 * each image.
 *
 * Images are `[B, H, W, 3]` tensors normalised as {@link imagesToTensor} does, H and W divisible by the
 * backbone stride.
 */
export class FasterRCNN extends GeneralizedRCNN {
  declare readonly rpn: RegionProposalNetwork;

  constructor(readonly options: FasterRcnnOptions = {}, mask?: (backbone: Backbone, numClasses: number, seed: number) => MaskBranch) {
    const parts = fasterRcnnParts(options, true);
    const numClasses = options.numClasses ?? 3;
    super(numClasses, { ...parts, mask: mask?.(parts.backbone, numClasses, options.seed ?? 0) }, options.seed ?? 0);
  }
}
