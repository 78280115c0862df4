import * as tf from '@tensorflow/tfjs';
import { buildBackbone, type Backbone, type BackboneOptions } from '../backbone/backbone.js';
import type { Detector } from '../detection/detector.js';
import type { GraphDetector, GraphOutput, GraphResults, GraphTensor, NetworkGraph } from '../detection/network-graph.js';
import { minimizeLosses } from '../detection/train-loop.js';
import type { DetectionTarget, Detections, LossValues } from '../detection/types.js';
import { nextSeed, seededInitializer, type SeedCounter } from '../../engine/initializers.js';
import { yoloDetections, type YoloDetectionOptions } from './detections.js';
import { gridPool, gridPoolGraph } from './grid-pool.js';
import { yoloLoss, type YoloLossWeights } from './loss.js';
import { activateYoloOutput, activateYoloOutputGraph, yoloCellChannels, type YoloGrid } from './output.js';
import { yoloTargets } from './targets.js';

/** Options of {@link YOLOv1}. Unknown keys are ignored. */
export interface YoloV1Options extends YoloDetectionOptions {
  /** Object classes C (default 3: circle, square, triangle). */
  numClasses?: number;
  backbone?: BackboneOptions;
  /** Grid cells per side S (default 7, the paper's). */
  gridSize?: number;
  /** Boxes per cell B (default 2, the paper's). */
  boxesPerCell?: number;
  /** Channels of the neck's and the head's 3×3 convolutions (default 128). */
  headWidth?: number;
  /** 3×3 convolutions on the feature map, before it is pooled onto the grid (default 0). */
  neckConvs?: number;
  /** 3×3 convolutions of the head on the grid (default 2). */
  headConvs?: number;
  /** λcoord, λnoobj (default 5, 0.5). */
  lambdaCoord?: number;
  lambdaNoobj?: number;
  /** Confidence target of a responsible predictor: its IoU with the object (default) or 1. */
  confidenceTarget?: 'iou' | 'one';
  /** Seed of every initialiser. */
  seed?: number;
}

/**
 * YOLOv1 (Redmon, Divvala, Girshick, Farhadi 2016): one network maps the image to an S×S×(5B+C) tensor,
 * each grid cell predicting B boxes (x, y relative to the cell, √w, √h relative to the image, and a
 * confidence) and C class probabilities, trained with the sum-squared loss of {@link yoloLoss}.
 *
 * Here the convolutional backbone's feature map (after optional 3×3 convolutions, the neck) is
 * average-pooled onto the S×S grid ({@link gridPool}; the paper's fully connected layers would fix the
 * input size), then 3×3 convolutions with batch norm and leaky ReLU and a 1×1 convolution give each
 * cell's 5B+C outputs. Any image whose sides are multiples of the
 * backbone stride can go through it, for any S.
 */
export class YOLOv1 implements Detector, GraphDetector {
  readonly numClasses: number;
  readonly backbone: Backbone;
  /** 3×3 convolutions on the feature map before the grid pooling (absent with `neckConvs` 0). */
  readonly neck: tf.LayersModel | undefined;
  readonly head: tf.LayersModel;
  readonly grid: YoloGrid;

  constructor(readonly options: YoloV1Options = {}) {
    const seed = options.seed ?? 0;
    this.numClasses = options.numClasses ?? 3;
    this.grid = { s: options.gridSize ?? 7, b: options.boxesPerCell ?? 2, c: this.numClasses };
    if (!Number.isInteger(this.grid.s) || this.grid.s < 1) throw new RangeError(`YOLOv1: gridSize must be a positive integer, got ${this.grid.s}`);
    if (!Number.isInteger(this.grid.b) || this.grid.b < 1) throw new RangeError(`YOLOv1: boxesPerCell must be a positive integer, got ${this.grid.b}`);
    this.backbone = buildBackbone({ seed, ...options.backbone });
    const seeds: SeedCounter = { seed: seed + 1, next: 0 };
    const width = options.headWidth ?? 128;
    const convs = (x: tf.SymbolicTensor, count: number, name: string) => {
      for (let k = 0; k < count; k++) {
        x = tf.layers.conv2d({ filters: width, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: seededInitializer(seeds), name: `${name}_conv${k}` }).apply(x) as tf.SymbolicTensor;
        x = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, name: `${name}_conv${k}_bn` }).apply(x) as tf.SymbolicTensor;
        x = tf.layers.leakyReLU({ alpha: 0.1, name: `${name}_conv${k}_relu` }).apply(x) as tf.SymbolicTensor; // the paper's leaky ReLU
      }
      return x;
    };
    const neckConvs = options.neckConvs ?? 0;
    if (neckConvs > 0) {
      const features = tf.input({ shape: [null, null, this.backbone.channels], name: 'yolo_neck_features' }); // [B, h, w, Cb]
      this.neck = tf.model({ inputs: features, outputs: convs(features, neckConvs, 'yolo_neck'), name: 'yolo_neck' });
    }
    const input = tf.input({ shape: [null, null, neckConvs > 0 ? width : this.backbone.channels], name: 'yolo_head_grid' }); // [B, S, S, C]
    const x = convs(input, options.headConvs ?? 2, 'yolo_head');
    const out = tf.layers.conv2d({ filters: yoloCellChannels(this.grid), kernelSize: 1, kernelInitializer: tf.initializers.glorotNormal({ seed: nextSeed(seeds) }), name: 'yolo_head_out' }).apply(x) as tf.SymbolicTensor; // [B, S, S, 5B+C]
    this.head = tf.model({ inputs: input, outputs: out, name: 'yolo_head' });
  }

  get stride(): number {
    return this.backbone.stride;
  }

  models(): tf.LayersModel[] {
    return [this.backbone.model, ...(this.neck ? [this.neck] : []), this.head];
  }

  /** Activated outputs `[N,S,S,5B+C]` of `images [N,H,W,3]`. */
  forward(images: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let features = this.backbone.model.apply(images, { training }) as tf.Tensor4D; // [N, h, w, Cb]
      if (this.neck) features = this.neck.apply(features, { training }) as tf.Tensor4D; // [N, h, w, width]
      const raw = this.head.apply(gridPool(features, this.grid.s), { training }) as tf.Tensor4D;
      return activateYoloOutput(raw, this.grid);
    });
  }

  forwardTrain(images: tf.Tensor4D, targets: DetectionTarget[]): Record<string, tf.Scalar> {
    const [n, height, width] = images.shape;
    const output = this.forward(images, true);
    const values = output.dataSync(); // the predictors' current boxes choose the responsible ones
    const per = this.grid.s * this.grid.s * yoloCellChannels(this.grid);
    const assigned = targets.map((t, k) => yoloTargets(values.subarray(k * per, (k + 1) * per), t, this.grid, width, height, { confidence: this.options.confidenceTarget }));
    if (assigned.length !== n) throw new Error(`YOLOv1: ${n} images but ${assigned.length} targets`);
    const weights: YoloLossWeights = { coord: this.options.lambdaCoord, noobj: this.options.lambdaNoobj };
    return yoloLoss(output, assigned, this.grid, weights);
  }

  trainStep(optimizer: tf.Optimizer, images: tf.Tensor4D, targets: DetectionTarget[]): LossValues {
    const variables = this.models().flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
    return minimizeLosses(optimizer, variables, () => this.forwardTrain(images, targets));
  }

  predict(images: tf.Tensor4D): Detections[] {
    const [n, height, width] = images.shape;
    const output = this.forward(images, false);
    const values = output.dataSync() as Float32Array;
    output.dispose();
    return this.detectionsFromGraph({ grid: { data: values, dims: output.shape } }, n, width, height);
  }

  /**
   * The forward pass as a graph (for export): backbone, neck, {@link gridPool} (a matrix product with
   * the fixed pooling weights of the `imgsz / stride` map), head and the output activations →
   * `grid [B, S, S, 5B+C]`, the activated outputs {@link yoloDetections} decodes.
   */
  networkGraph(net: NetworkGraph, images: GraphTensor, imgsz: number): { outputs: GraphOutput[]; postprocess: Record<string, unknown> } {
    let [features] = net.layers(this.backbone.model, [images]); // [B, h, w, Cb]
    if (this.neck) [features] = net.layers(this.neck, [features]);
    const side = imgsz / this.stride;
    const channels = (this.neck ?? this.backbone.model).outputs[0].shape[3] as number;
    const [raw] = net.layers(this.head, [gridPoolGraph(net, features, side, side, this.grid.s, channels)]);
    const { s } = this.grid;
    const o = this.options;
    return {
      outputs: [{ name: 'grid', value: activateYoloOutputGraph(net, raw, this.grid), dims: ['batch', s, s, yoloCellChannels(this.grid)] }],
      postprocess: {
        yolov1: {
          grid: { s, boxesPerCell: this.grid.b, classes: this.grid.c },
          cell: 'per box: x, y in the cell, sqrt(w), sqrt(h) of the image side, confidence (sigmoids); then the class probabilities (softmax)',
          score: 'class probability × confidence',
          scoreThreshold: o.scoreThreshold ?? 0.05,
          nmsThreshold: o.nmsThreshold ?? 0.5,
          detectionsPerImage: o.detectionsPerImage ?? 100,
          minSize: o.minSize ?? 1e-2,
        },
      },
    };
  }

  /** Detections from the activated outputs `grid [B, S, S, 5B+C]` of `batch` `width × height` images ({@link yoloDetections} per image). */
  detectionsFromGraph(outputs: GraphResults, batch: number, width: number, height: number): Detections[] {
    const values = outputs.grid.data;
    const per = this.grid.s * this.grid.s * yoloCellChannels(this.grid);
    if (values.length !== batch * per) throw new Error(`YOLOv1: expected ${batch}×${per} output values, got ${values.length}`);
    return Array.from({ length: batch }, (_, k) => yoloDetections(values.subarray(k * per, (k + 1) * per), this.grid, width, height, this.options));
  }

  /** No random sampling in training: nothing to re-seed. */
  reseed(_step: number): void {}

  dispose(): void {
    for (const m of this.models()) m.dispose();
  }
}
