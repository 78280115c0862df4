import * as tf from '@tensorflow/tfjs';
import { minimizeLosses } from '../detection/train-loop.js';
import { Matcher } from '../../anchors/matcher.js';
import { BalancedSampler } from '../../anchors/sampler.js';
import { BoxCoder } from '../../boxes/coder.js';
import { roiAlign } from '../../roi/align.js';
import { buildBackbone, type Backbone, type BackboneOptions } from '../backbone/backbone.js';
import { boxHeadLosses } from '../detection/box-losses.js';
import { buildBoxHead } from '../detection/box-head.js';
import { postprocessDetections, type PostprocessOptions } from '../detection/postprocess.js';
import { toRois } from '../detection/roi-heads.js';
import { sampleRoiTargets } from '../detection/roi-targets.js';
import type { Detector } from '../detection/detector.js';
import type { DetectionTarget, Detections, LossValues } from '../detection/types.js';
import { imageSeed } from '../../data/synthetic.js';

/** Options of {@link RCNN}. */
export interface RcnnOptions extends PostprocessOptions {
  /** Object classes C (default 3). */
  numClasses?: number;
  backbone?: BackboneOptions;
  /**
   * Side in pixels every proposal is warped to (a multiple of the backbone stride). Default 128: the
   * input size the backbone is built and trained for (the whole 128×128 image), as R-CNN warps to
   * AlexNet's 227×227; see {@link RCNN} for the measurements behind it.
   */
  warpSize?: number;
  /**
   * Side of the feature map the head sees (default min(8, warpSize / stride)): the crop's
   * `warpSize / stride` map is max-pooled down to it with k×k windows, stride k (AlexNet's pool5 before
   * fc6). `warpSize / stride` must be a multiple of it.
   */
  headPoolSize?: number;
  /** Width of the head's two FC layers (default 128). */
  representationSize?: number;
  /** IoU ≥ this makes a proposal foreground while training (default 0.5). */
  fgIouThreshold?: number;
  /** Proposals sampled per image and step (default 64), at most `positiveFraction` foreground (default 0.25). */
  batchSizePerImage?: number;
  positiveFraction?: number;
  /** β of the smooth-L1 box loss (default 1/9). */
  smoothL1Beta?: number;
  /** Crops per backbone call at inference (default 64), to bound memory (64 crops of 128² are 12.6 MB of input). */
  cropsPerChunk?: number;
  seed?: number;
}

/**
 * R-CNN (Girshick, Donahue, Darrell, Malik 2014), with the fine-tuning stage's softmax classifier in
 * place of the per-class SVMs: every proposal is cut out of the image and warped to `warpSize ×
 * warpSize` (bilinear crop-and-resize, done with RoI Align on the pixels: aligned, adaptive sampling, so
 * a shrinking warp averages ⌈bin⌉² bilinear samples per output pixel), each crop goes through the
 * whole backbone on its own (crops are batched, `cropsPerChunk` per call), its feature map is
 * max-pooled to `headPoolSize²` and a two-FC head gives class logits and class-specific box deltas
 * (R-CNN's bounding-box regression, same coder as Fast R-CNN). The backbone's layer names equal Faster
 * R-CNN's, so a Faster R-CNN checkpoint initialises it.
 *
 * Warp size: R-CNN warps every region to the input size its CNN was built for (227² for AlexNet, whose
 * receptive field is the whole image); this backbone is built and trained for 128² images (a cell sees
 * 43² px), so 128 is the default. Smaller warps cost a fraction of an image pass per proposal and would
 * hide the method's cost (timings per warp size in docs/benchmarks.md).
 */
export class RCNN implements Detector {
  readonly numClasses: number;
  readonly backbone: Backbone;
  readonly head: tf.LayersModel;
  readonly warpSize: number;
  /** Max-pool window (and stride) between the crop's feature map and the head; 1 = none. */
  readonly headPoolWindow: number;
  readonly matcher: Matcher;
  readonly sampler: BalancedSampler;
  readonly coder = new BoxCoder({ weights: [10, 10, 5, 5] });
  readonly smoothL1Beta: number;
  readonly cropsPerChunk: number;

  constructor(readonly options: RcnnOptions = {}) {
    const seed = options.seed ?? 0;
    this.numClasses = options.numClasses ?? 3;
    this.backbone = buildBackbone({ seed, ...options.backbone });
    this.warpSize = options.warpSize ?? 128;
    if (this.warpSize % this.backbone.stride !== 0) throw new RangeError(`RCNN: warpSize ${this.warpSize} is not a multiple of the backbone stride ${this.backbone.stride}`);
    const mapSize = this.warpSize / this.backbone.stride;
    const headPoolSize = options.headPoolSize ?? Math.min(8, mapSize);
    if (!Number.isInteger(headPoolSize) || headPoolSize < 1 || mapSize % headPoolSize !== 0) throw new RangeError(`RCNN: headPoolSize ${headPoolSize} does not divide the crop's ${mapSize}×${mapSize} feature map`);
    this.headPoolWindow = mapSize / headPoolSize;
    this.head = buildBoxHead({ poolSize: headPoolSize, inChannels: this.backbone.channels, numClasses: this.numClasses, representationSize: options.representationSize, name: 'rcnn_box', seed: seed + 2 });
    const fg = options.fgIouThreshold ?? 0.5;
    this.matcher = new Matcher({ highThreshold: fg, lowThreshold: fg, allowLowQualityMatches: false });
    this.sampler = new BalancedSampler({ batchSizePerImage: options.batchSizePerImage ?? 64, positiveFraction: options.positiveFraction ?? 0.25, seed: seed + 1 });
    this.smoothL1Beta = options.smoothL1Beta ?? 1 / 9;
    this.cropsPerChunk = options.cropsPerChunk ?? 64;
  }

  /** Backbone + pool5 + head on warped crops `[K, warp, warp, 3]` → logits `[K, C+1]`, deltas `[K, 4(C+1)]`. */
  classifyCrops(crops: tf.Tensor4D, training = false): [tf.Tensor2D, tf.Tensor2D] {
    let features = this.backbone.model.apply(crops, { training }) as tf.Tensor4D; // [K, warp/s, warp/s, C]
    const k = this.headPoolWindow;
    if (k > 1) features = tf.maxPool(features, k, k, 'valid'); // [K, headPool, headPool, C]
    return this.head.apply(features, { training }) as [tf.Tensor2D, tf.Tensor2D];
  }

  get stride(): number {
    return this.backbone.stride;
  }

  models(): tf.LayersModel[] {
    return [this.backbone.model, this.head];
  }

  reseed(step: number): void {
    this.sampler.reseed(imageSeed(imageSeed(this.options.seed ?? 0, step), 1));
  }

  trainableVariables(): tf.Variable[] {
    return this.models().flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /** Warped crops of `pixels` (`Float32Array [B, H, W, 3]`) at boxes per image → `[ΣK_b, warp, warp, 3]` (no gradient: the input is the image). */
  warp(pixels: Float32Array, shape: [number, number, number, number], boxesPerImage: Float32Array[]): tf.Tensor4D {
    const crops = this.warpArrays(pixels, shape, boxesPerImage);
    return tf.tensor4d(crops, [crops.length / (3 * this.warpSize * this.warpSize), this.warpSize, this.warpSize, 3]);
  }

  /** {@link warp} as a typed array (either runtime's input): `Float32Array [ΣK_b, warp, warp, 3]`. */
  warpArrays(pixels: Float32Array, shape: [number, number, number, number], boxesPerImage: Float32Array[]): Float32Array {
    return roiAlign(pixels, shape, toRois(boxesPerImage), { outHeight: this.warpSize, outWidth: this.warpSize, spatialScale: 1, samplingRatio: 0, aligned: true });
  }

  /** `images [B, H, W, 3]`, targets and proposals per image → {loss_classifier, loss_box_reg} on sampled crops. */
  forwardTrain(images: tf.Tensor4D, targets: DetectionTarget[], proposals?: Float32Array[]): Record<string, tf.Scalar> {
    if (!proposals) throw new Error('RCNN.forwardTrain needs the proposals of each image');
    const samples = proposals.map((p, b) => sampleRoiTargets(p, targets[b].boxes, targets[b].labels, this.matcher, this.sampler, this.coder));
    const crops = this.warp(images.dataSync() as Float32Array, images.shape, samples.map((s) => s.boxes)); // [S, warp, warp, 3]
    const [logits, deltas] = this.classifyCrops(crops, true); // [S, C+1], [S, 4(C+1)]
    return { ...boxHeadLosses(logits, deltas, samples, this.numClasses, this.smoothL1Beta) };
  }

  /** One optimisation step; `proposals` per image are required. */
  trainStep(optimizer: tf.Optimizer, images: tf.Tensor4D, targets: DetectionTarget[], proposals?: Float32Array[]): LossValues {
    if (!proposals) throw new Error('RCNN.trainStep needs the proposals of each image');
    return minimizeLosses(optimizer, this.trainableVariables(), () => this.forwardTrain(images, targets, proposals));
  }

  /** Detections of each image of `images [B, H, W, 3]` from its proposals: one backbone pass per proposal (in chunks). */
  predict(images: tf.Tensor4D, proposals?: Float32Array[]): Detections[] {
    if (!proposals || proposals.length !== images.shape[0]) throw new Error(`RCNN.predict needs the proposals of each image (${images.shape[0]})`);
    const [, height, width] = images.shape;
    const pixels = images.dataSync() as Float32Array;
    const c1 = this.numClasses + 1;
    return proposals.map((boxes, b) => {
      const k = boxes.length >> 2;
      const probabilities = new Float32Array(k * c1);
      const deltas = new Float32Array(4 * k * c1);
      const one = pixels.subarray(b * height * width * 3, (b + 1) * height * width * 3);
      for (let start = 0; start < k; start += this.cropsPerChunk) {
        const chunk = boxes.subarray(4 * start, 4 * Math.min(k, start + this.cropsPerChunk));
        tf.tidy(() => {
          const crops = this.warp(one, [1, height, width, 3], [chunk]);
          const [logits, d] = this.classifyCrops(crops, false); // [k, C+1], [k, 4(C+1)]
          probabilities.set(tf.softmax(logits).dataSync() as Float32Array, start * c1);
          deltas.set(d.dataSync() as Float32Array, 4 * start * c1);
        });
      }
      return postprocessDetections(probabilities, deltas, boxes, this.numClasses, width, height, this.coder, this.options);
    });
  }

  dispose(): void {
    for (const m of this.models()) m.dispose();
  }
}
