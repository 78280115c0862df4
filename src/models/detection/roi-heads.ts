import * as tf from '@tensorflow/tfjs';
import { Matcher } from '../../anchors/matcher.js';
import { BalancedSampler } from '../../anchors/sampler.js';
import { BoxCoder } from '../../boxes/coder.js';
import { boxHeadLosses } from './box-losses.js';
import { postprocessDetections, type PostprocessOptions } from './postprocess.js';
import { roiAlignOp, roiPoolOp } from '../../engine/roi-ops.js';
import { roiAlign } from '../../roi/align.js';
import { roiPoolOutput } from '../../roi/pool.js';
import type { RoiBuffers } from '../../roi/buffers.js';
import { sampleRoiTargets, type RoiTargets } from './roi-targets.js';
import type { DetectionTarget, Detections } from './types.js';

/** Options of {@link RoiHeads}; defaults are torchvision's Faster R-CNN values. */
export interface RoiHeadsOptions extends PostprocessOptions {
  /** Object classes C (labels 1..C; 0 is the background). */
  numClasses: number;
  /** Side of the pooled features (default 7). */
  poolSize?: number;
  /** 'align' (RoI Align, Faster/Mask R-CNN, default) or 'pool' (RoI Pool, Fast R-CNN). */
  pooler?: 'align' | 'pool';
  /** RoI Align samples per bin per axis (default 2). */
  samplingRatio?: number;
  /** IoU ≥ this makes a RoI foreground (default 0.5). */
  fgIouThreshold?: number;
  /** IoU < this makes a RoI background (default 0.5). */
  bgIouThreshold?: number;
  /** RoIs sampled per image (default 512). */
  batchSizePerImage?: number;
  /** Largest foreground fraction of the sample (default 0.25). */
  positiveFraction?: number;
  /** Box coder weights of the class-specific regression (default [10, 10, 5, 5]). */
  boxCoderWeights?: [number, number, number, number];
  /** β of the smooth-L1 box loss (default 1/9). */
  smoothL1Beta?: number;
  /** Seed of the RoI sampler. */
  seed?: number;
}

/** Training output of {@link RoiHeads.forwardTrain}. */
export interface RoiHeadsTrainOutput {
  /** `loss_classifier` (softmax CE, mean over sampled RoIs), `loss_box_reg` (smooth L1 of the true class's deltas / sampled RoIs). */
  losses: { loss_classifier: tf.Scalar; loss_box_reg: tf.Scalar };
  /** The sampled RoIs of each image with their targets. */
  samples: RoiTargets[];
}

/**
 * The second stage of Fast/Faster R-CNN around the box head (torchvision's `RoIHeads`): RoI sampling
 * and targets on typed arrays, RoI Align (or RoI Pool) on the feature map, the box head, the two
 * losses, and the post-processing into detections.
 */
export class RoiHeads {
  readonly numClasses: number;
  readonly poolSize: number;
  readonly pooler: 'align' | 'pool';
  readonly samplingRatio: number;
  readonly matcher: Matcher;
  readonly sampler: BalancedSampler;
  readonly coder: BoxCoder;
  readonly smoothL1Beta: number;
  readonly postprocess: PostprocessOptions;

  /** `boxHead`: see `buildBoxHead`; `stride`: image pixels per feature-map cell. */
  constructor(readonly boxHead: tf.LayersModel, readonly stride: number, options: RoiHeadsOptions) {
    this.numClasses = options.numClasses;
    this.poolSize = options.poolSize ?? 7;
    this.pooler = options.pooler ?? 'align';
    this.samplingRatio = options.samplingRatio ?? 2;
    this.matcher = new Matcher({ highThreshold: options.fgIouThreshold ?? 0.5, lowThreshold: options.bgIouThreshold ?? 0.5, allowLowQualityMatches: false });
    this.sampler = new BalancedSampler({ batchSizePerImage: options.batchSizePerImage ?? 512, positiveFraction: options.positiveFraction ?? 0.25, seed: (options.seed ?? 0) + 1 });
    this.coder = new BoxCoder({ weights: options.boxCoderWeights ?? [10, 10, 5, 5] });
    this.smoothL1Beta = options.smoothL1Beta ?? 1 / 9;
    this.postprocess = { scoreThreshold: options.scoreThreshold, nmsThreshold: options.nmsThreshold, detectionsPerImage: options.detectionsPerImage, minSize: options.minSize };
  }

  /** Pools `features [B, h, w, C]` over boxes per image → `[ΣK_b, poolSize, poolSize, C]` (differentiable). */
  pool(features: tf.Tensor4D, boxesPerImage: Float32Array[], outSize = this.poolSize): tf.Tensor4D {
    const rois = toRois(boxesPerImage);
    const grid = { outHeight: outSize, outWidth: outSize, spatialScale: 1 / this.stride };
    return this.pooler === 'align' ? roiAlignOp(features, rois, { ...grid, samplingRatio: this.samplingRatio, aligned: true }) : roiPoolOp(features, rois, grid);
  }

  /**
   * {@link pool} on typed arrays: `features Float32Array [B, h, w, C]` of `shape` → `Float32Array [ΣK_b,
   * p, p, C]` (the same kernels). With `buffers`, the output lies on their slot `'box'` (overwritten by
   * the next call with the same buffers), which spares a fresh array of several MB per image.
   */
  poolArrays(features: Float32Array, shape: readonly number[], boxesPerImage: Float32Array[], buffers?: RoiBuffers): Float32Array {
    const rois = toRois(boxesPerImage);
    const grid = { outHeight: this.poolSize, outWidth: this.poolSize, spatialScale: 1 / this.stride };
    const out = buffers?.float32('box', (rois.length / 5) * this.poolSize * this.poolSize * shape[3]);
    return this.pooler === 'align' ? roiAlign(features, shape, rois, { ...grid, samplingRatio: this.samplingRatio, aligned: true }, out) : roiPoolOutput(features, shape, rois, grid, out);
  }

  /** Samples RoIs from `proposals` (per image) against `targets`, pools them, and returns the two losses. */
  forwardTrain(features: tf.Tensor4D, proposals: Float32Array[], targets: DetectionTarget[]): RoiHeadsTrainOutput {
    const samples = proposals.map((p, b) => sampleRoiTargets(p, targets[b].boxes, targets[b].labels, this.matcher, this.sampler, this.coder));
    const pooled = this.pool(features, samples.map((s) => s.boxes)); // [S, p, p, C]
    const [logits, deltas] = this.boxHead.apply(pooled, { training: true }) as [tf.Tensor2D, tf.Tensor2D]; // [S, C+1], [S, 4(C+1)]
    return { losses: boxHeadLosses(logits, deltas, samples, this.numClasses, this.smoothL1Beta), samples };
  }

  /** Detections per image from `proposals` (per image) on `features [B, h, w, C]` of `imageHeight × imageWidth` images. */
  predict(features: tf.Tensor4D, proposals: Float32Array[], imageHeight: number, imageWidth: number): Detections[] {
    if (proposals.every((p) => p.length === 0)) return proposals.map(() => ({ boxes: new Float32Array(0), labels: new Int32Array(0), scores: new Float32Array(0) }));
    const { probabilities, deltas } = tf.tidy(() => {
      const pooled = this.pool(features, proposals); // [K, p, p, C]
      const [logits, d] = this.boxHead.apply(pooled, { training: false }) as [tf.Tensor2D, tf.Tensor2D];
      return { probabilities: tf.softmax(logits).dataSync() as Float32Array, deltas: d.dataSync() as Float32Array }; // [K, C+1], [K, 4(C+1)]
    });
    return this.detectionsFrom(probabilities, deltas, proposals, imageHeight, imageWidth);
  }

  /**
   * The post-processing of {@link predict} on the box head's outputs as typed arrays (either runtime's):
   * `probabilities Float32Array [ΣK_b, C+1]` (softmax), `deltas Float32Array [ΣK_b, 4(C+1)]`, the
   * proposals per image they were pooled from, in order → detections per image.
   */
  detectionsFrom(probabilities: Float32Array, deltas: Float32Array, proposals: Float32Array[], imageHeight: number, imageWidth: number): Detections[] {
    const c1 = this.numClasses + 1;
    let offset = 0;
    return proposals.map((p) => {
      const k = p.length >> 2;
      const dets = postprocessDetections(probabilities.subarray(offset * c1, (offset + k) * c1), deltas.subarray(4 * offset * c1, 4 * (offset + k) * c1), p, this.numClasses, imageWidth, imageHeight, this.coder, this.postprocess);
      offset += k;
      return dets;
    });
  }
}

/** Boxes per image → RoIs `Float32Array [ΣK_b, 5]` (batch index, x1, y1, x2, y2). */
export function toRois(boxesPerImage: Float32Array[]): Float32Array {
  const total = boxesPerImage.reduce((s, b) => s + (b.length >> 2), 0);
  const rois = new Float32Array(5 * total);
  let r = 0;
  boxesPerImage.forEach((boxes, b) => {
    for (let i = 0; i < boxes.length >> 2; i++, r++) {
      rois[5 * r] = b;
      rois.set(boxes.subarray(4 * i, 4 * i + 4), 5 * r + 1);
    }
  });
  return rois;
}
