import * as tf from '@tensorflow/tfjs';
import { AnchorGenerator } from '../../anchors/generator.js';
import { Matcher } from '../../anchors/matcher.js';
import { ProposalGenerator } from '../../anchors/proposals.js';
import { BalancedSampler } from '../../anchors/sampler.js';
import { BoxCoder } from '../../boxes/coder.js';
import { assignRpnTargets } from './rpn-targets.js';
import { smoothL1Sum } from './smooth-l1.js';
import type { DetectionTarget } from './types.js';
import { sigmoidCrossEntropyPerElement } from '../losses.js';

/** Options of {@link RegionProposalNetwork}; defaults follow torchvision except the anchor sizes (small images). */
export interface RpnOptions {
  /** Anchor sizes in pixels (default [16, 32, 64]: the synthetic shapes are 8..77 px). */
  anchorSizes?: number[];
  /** Anchor aspect ratios h/w (default [0.5, 1, 2]). */
  aspectRatios?: number[];
  /** Anchor centre within a cell as a fraction of the stride (default 0.5, the cell centre). */
  anchorOffset?: number;
  /** IoU ≥ this makes an anchor positive (default 0.7). */
  fgIouThreshold?: number;
  /** IoU < this makes an anchor negative (default 0.3). */
  bgIouThreshold?: number;
  /** Anchors sampled per image for the losses (default 256). */
  batchSizePerImage?: number;
  /** Largest positive fraction of the sample (default 0.5). */
  positiveFraction?: number;
  /** Best anchors kept before NMS while training / testing (defaults 2000 / 1000). */
  preNmsTopNTrain?: number;
  preNmsTopNTest?: number;
  /** Proposals kept after NMS while training / testing (defaults 2000 / 1000). */
  postNmsTopNTrain?: number;
  postNmsTopNTest?: number;
  /** IoU threshold of the proposal NMS (default 0.7). */
  nmsThreshold?: number;
  /** Smallest proposal side in pixels (default 1e-3). */
  minSize?: number;
  /** β of the smooth-L1 box loss (default 1/9). */
  smoothL1Beta?: number;
  /** Seed of the anchor sampler. */
  seed?: number;
}

/** What the RPN gives for a batch. */
export interface RpnOutput {
  /** Proposals per image: `Float32Array [K_b,4] xyxy`, by decreasing objectness. */
  proposals: Float32Array[];
  /** Training only: `loss_objectness` (BCE, mean over the sampled anchors), `loss_rpn_box_reg` (smooth L1 / sampled anchors). */
  losses?: { loss_objectness: tf.Scalar; loss_rpn_box_reg: tf.Scalar };
}

/**
 * The logic of the region proposal network around its head (torchvision's `RegionProposalNetwork`):
 * anchors over the feature map, target assignment and the two losses while training, and proposals
 * (top-N, decode, clip, NMS, top-N) with separate train/test counts. Target assignment and proposals
 * run on typed arrays, outside the gradient tape; only the head's outputs are tensors.
 */
export class RegionProposalNetwork {
  readonly anchorGenerator: AnchorGenerator;
  readonly matcher: Matcher;
  readonly sampler: BalancedSampler;
  readonly coder = new BoxCoder({ weights: [1, 1, 1, 1] });
  readonly trainProposals: ProposalGenerator;
  readonly testProposals: ProposalGenerator;
  readonly smoothL1Beta: number;
  private anchorCache = new Map<string, Float32Array>();

  /** `head`: the RPN head (see `buildRpnHead`); `stride`: image pixels per feature-map cell. */
  constructor(readonly head: tf.LayersModel, readonly stride: number, options: RpnOptions = {}) {
    this.anchorGenerator = new AnchorGenerator({ sizes: [options.anchorSizes ?? [16, 32, 64]], aspectRatios: [options.aspectRatios ?? [0.5, 1, 2]], offset: options.anchorOffset ?? 0.5 });
    this.matcher = new Matcher({ highThreshold: options.fgIouThreshold ?? 0.7, lowThreshold: options.bgIouThreshold ?? 0.3, allowLowQualityMatches: true });
    this.sampler = new BalancedSampler({ batchSizePerImage: options.batchSizePerImage ?? 256, positiveFraction: options.positiveFraction ?? 0.5, seed: options.seed ?? 0 });
    const common = { nmsThreshold: options.nmsThreshold ?? 0.7, minSize: options.minSize ?? 1e-3, coder: this.coder };
    this.trainProposals = new ProposalGenerator({ ...common, preNmsTopN: options.preNmsTopNTrain ?? 2000, postNmsTopN: options.postNmsTopNTrain ?? 2000 });
    this.testProposals = new ProposalGenerator({ ...common, preNmsTopN: options.preNmsTopNTest ?? 1000, postNmsTopN: options.postNmsTopNTest ?? 1000 });
    this.smoothL1Beta = options.smoothL1Beta ?? 1 / 9;
  }

  /** Anchors per feature-map position (A). */
  get anchorsPerLocation(): number {
    return this.anchorGenerator.anchorsPerLocation()[0];
  }

  /** Anchors of a feature map of `gridHeight × gridWidth` cells: `Float32Array [h·w·A, 4] xyxy` (cached). */
  anchors(gridHeight: number, gridWidth: number): Float32Array {
    const key = `${gridHeight}x${gridWidth}`;
    let anchors = this.anchorCache.get(key);
    if (!anchors) {
      anchors = this.anchorGenerator.gridAnchors(0, { gridHeight, gridWidth, strideY: this.stride, strideX: this.stride });
      this.anchorCache.set(key, anchors);
    }
    return anchors;
  }

  /**
   * Proposals per image from the head's outputs as typed arrays (either runtime's): `objectness
   * Float32Array [B, h, w, A]`, `deltas Float32Array [B, h, w, 4A]` over a `gridHeight × gridWidth` map of
   * `imageHeight × imageWidth` images → `Float32Array [K_b, 4] xyxy` per image (test or train counts).
   */
  proposalsFrom(objectness: Float32Array, deltas: Float32Array, batch: number, gridHeight: number, gridWidth: number, imageHeight: number, imageWidth: number, training = false): Float32Array[] {
    const anchors = this.anchors(gridHeight, gridWidth);
    const n = anchors.length >> 2;
    const generator = training ? this.trainProposals : this.testProposals;
    const proposals: Float32Array[] = [];
    for (let b = 0; b < batch; b++) {
      const out = generator.generate({ anchors, objectness: objectness.subarray(b * n, (b + 1) * n), deltas: deltas.subarray(4 * b * n, 4 * (b + 1) * n), imageWidth, imageHeight });
      proposals.push(out.boxes);
    }
    return proposals;
  }

  /**
   * Runs the head on `features [B, h, w, C]` of images `imageHeight × imageWidth` and turns its outputs
   * into proposals; with `targets` (training) also the two losses. Call inside a gradient scope to train.
   */
  run(features: tf.Tensor4D, imageHeight: number, imageWidth: number, targets?: DetectionTarget[]): RpnOutput {
    const [batch, gridHeight, gridWidth] = features.shape;
    const training = targets !== undefined;
    const [objectness, deltas] = this.head.apply(features, { training }) as [tf.Tensor4D, tf.Tensor4D]; // [B, h, w, A], [B, h, w, 4A]
    const anchors = this.anchors(gridHeight, gridWidth);
    const n = anchors.length >> 2;
    const proposals = this.proposalsFrom(objectness.dataSync() as Float32Array, deltas.dataSync() as Float32Array, batch, gridHeight, gridWidth, imageHeight, imageWidth, training);
    if (!training) {
      tf.dispose([objectness, deltas]);
      return { proposals };
    }
    // Dense 0/1 masks over the anchors of the whole batch (tfjs-wasm has no gradient for gather):
    // sampled [B·N], labels [B·N], positive [B·N], regression targets [B·N, 4].
    const sampled = new Float32Array(batch * n);
    const labels = new Float32Array(batch * n);
    const positive = new Float32Array(batch * n);
    const regression = new Float32Array(4 * batch * n);
    let sampledCount = 0;
    targets.forEach((target, b) => {
      const t = assignRpnTargets(anchors, target.boxes, this.matcher, this.sampler, this.coder);
      t.positive.forEach((a, s) => {
        sampled[b * n + a] = labels[b * n + a] = positive[b * n + a] = 1;
        regression.set(t.positiveTargets.subarray(4 * s, 4 * s + 4), 4 * (b * n + a));
      });
      for (const a of t.negative) sampled[b * n + a] = 1;
      sampledCount += t.positive.length + t.negative.length;
    });
    const normaliser = Math.max(sampledCount, 1);
    const z = objectness.reshape([batch * n]); // [B·N]
    const y = tf.tensor1d(labels);
    const bce = sigmoidCrossEntropyPerElement(z, y); // [B·N]
    const lossObjectness = tf.div(tf.sum(tf.mul(bce, tf.tensor1d(sampled))), normaliser) as tf.Scalar;
    const boxSum = smoothL1Sum(deltas.reshape([batch * n, 4]), tf.tensor2d(regression, [batch * n, 4]), this.smoothL1Beta, tf.tensor2d(positive, [batch * n, 1]));
    const lossBox = tf.div(boxSum, normaliser) as tf.Scalar;
    return { proposals, losses: { loss_objectness: lossObjectness, loss_rpn_box_reg: lossBox } };
  }
}
