import * as tf from '@tensorflow/tfjs';
import { seededInitializer, type SeedCounter } from '../../engine/initializers.js';
import { buildBackbone, type Backbone, type BackboneOptions } from '../backbone/backbone.js';
import type { Detector } from '../detection/detector.js';
import type { GraphDetector, GraphOutput, GraphResults, GraphTensor, NetworkGraph } from '../detection/network-graph.js';
import { minimizeLosses } from '../detection/train-loop.js';
import type { DetectionTarget, Detections, LossValues } from '../detection/types.js';
import { DetsegInputError } from '../../util/errors.js';

/** Options of {@link ClassLocNet}. */
export interface ClassLocOptions {
  /** Object classes C (default 3). */
  numClasses?: number;
  /** Input side in pixels (default 64): the head flattens the `imageSize/stride`² feature map. */
  imageSize?: number;
  backbone?: BackboneOptions;
  /** Width of the shared fully connected layer (default 128). */
  hiddenSize?: number;
  /** λ of the multitask loss L = L_cls + λ·L_box (default 10). */
  boxWeight?: number;
  /**
   * `'max'`: the class head also reads the global max-pool of the feature map, features that are the same
   * wherever the object lies (the flattened map alone must learn each position apart, which small
   * objects, seen at few positions, do not teach); `'none'` (default): the shared layer only.
   */
  classPooling?: 'none' | 'max';
  seed?: number;
}

/**
 * Classification + localization of ONE object, the lecture's first step beyond classification: a CNN
 * whose flattened features feed two heads — class scores (softmax over C) and a box (4 numbers: centre
 * x, y, width, height as fractions of the image, through a sigmoid) — trained with the multitask loss
 *
 *     L = L_cls + λ·L_box,   L_cls = −log p(true class),   L_box = Σ (b̂ − b)² over the 4 numbers,
 *
 * averaged over the batch (named `loss_classifier` and `loss_box_reg`). Inference gives one detection
 * per image: the most probable class, its probability, and the box in pixels. Every target must hold
 * exactly one object.
 */
export class ClassLocNet implements Detector, GraphDetector {
  readonly numClasses: number;
  readonly imageSize: number;
  readonly backbone: Backbone;
  readonly head: tf.LayersModel;
  readonly boxWeight: number;

  constructor(readonly options: ClassLocOptions = {}) {
    const seed = options.seed ?? 0;
    const pooling = options.classPooling ?? 'none';
    if (pooling !== 'none' && pooling !== 'max') throw new RangeError(`ClassLocNet: classPooling must be 'none' or 'max', got ${String(pooling)}`);
    this.numClasses = options.numClasses ?? 3;
    this.imageSize = options.imageSize ?? 64;
    this.boxWeight = options.boxWeight ?? 10;
    this.backbone = buildBackbone({ seed, ...options.backbone });
    if (this.imageSize % this.backbone.stride !== 0) throw new RangeError(`ClassLocNet: imageSize ${this.imageSize} is not a multiple of the backbone stride ${this.backbone.stride}`);
    const cells = this.imageSize / this.backbone.stride;
    const seeds: SeedCounter = { seed: seed + 7, next: 0 };
    const input = tf.input({ shape: [cells, cells, this.backbone.channels], name: 'classloc_features' }); // [B, h, w, C]
    const flat = tf.layers.flatten({ name: 'classloc_flatten' }).apply(input) as tf.SymbolicTensor; // [B, h·w·C]
    const hidden = tf.layers.dense({ units: options.hiddenSize ?? 128, activation: 'relu', kernelInitializer: seededInitializer(seeds), name: 'classloc_fc' }).apply(flat) as tf.SymbolicTensor;
    const classInput =
      pooling === 'max'
        ? (tf.layers.concatenate({ name: 'classloc_cls_input' }).apply([hidden, tf.layers.globalMaxPooling2d({ name: 'classloc_pool' }).apply(input) as tf.SymbolicTensor]) as tf.SymbolicTensor) // [B, hidden + C]
        : hidden;
    const logits = tf.layers.dense({ units: this.numClasses, kernelInitializer: seededInitializer(seeds), name: 'classloc_cls' }).apply(classInput) as tf.SymbolicTensor; // [B, C]
    const box = tf.layers.dense({ units: 4, activation: 'sigmoid', kernelInitializer: seededInitializer(seeds), name: 'classloc_box' }).apply(hidden) as tf.SymbolicTensor; // [B, 4] cx, cy, w, h / side
    this.head = tf.model({ inputs: input, outputs: [logits, box], name: 'classloc_head' });
  }

  get stride(): number {
    return this.backbone.stride;
  }

  models(): tf.LayersModel[] {
    return [this.backbone.model, this.head];
  }

  private outputs(images: tf.Tensor4D, training: boolean): [tf.Tensor2D, tf.Tensor2D] {
    const [, height, width] = images.shape;
    if (height !== this.imageSize || width !== this.imageSize) throw new Error(`ClassLocNet takes ${this.imageSize}×${this.imageSize} images, got ${width}×${height}`);
    const features = this.backbone.model.apply(images, { training }) as tf.Tensor4D; // [B, h, w, C]
    return this.head.apply(features, { training }) as [tf.Tensor2D, tf.Tensor2D];
  }

  /** The class and normalised box targets of one-object targets: labels `Int32Array [B]` (0-based), boxes `Float32Array [B,4]` cx, cy, w, h / side. */
  targets(targets: DetectionTarget[], width: number, height: number): { labels: Int32Array; boxes: Float32Array } {
    const labels = new Int32Array(targets.length);
    const boxes = new Float32Array(4 * targets.length);
    targets.forEach((t, b) => {
      if (t.labels.length !== 1) throw new Error(`ClassLocNet: image ${b} holds ${t.labels.length} objects, not exactly one`);
      const [x1, y1, x2, y2] = t.boxes;
      labels[b] = t.labels[0] - 1;
      boxes.set([(x1 + x2) / 2 / width, (y1 + y2) / 2 / height, (x2 - x1) / width, (y2 - y1) / height], 4 * b);
    });
    return { labels, boxes };
  }

  forwardTrain(images: tf.Tensor4D, targets: DetectionTarget[]): Record<string, tf.Scalar> {
    const [batch, height, width] = images.shape;
    const t = this.targets(targets, width, height);
    const [logits, box] = this.outputs(images, true); // [B, C], [B, 4]
    const onehot = tf.oneHot(tf.tensor1d(t.labels, 'int32'), this.numClasses); // [B, C]
    const lossCls = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)))).div(batch) as tf.Scalar;
    const lossBox = tf.sum(tf.square(tf.sub(box, tf.tensor2d(t.boxes, [batch, 4])))).mul(this.boxWeight / batch) as tf.Scalar;
    return { loss_classifier: lossCls, loss_box_reg: lossBox };
  }

  trainStep(optimizer: tf.Optimizer, images: tf.Tensor4D, targets: DetectionTarget[]): LossValues {
    const variables = this.models().flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
    return minimizeLosses(optimizer, variables, () => this.forwardTrain(images, targets));
  }

  predict(images: tf.Tensor4D): Detections[] {
    const [batch, height, width] = images.shape;
    const [probabilities, boxes] = tf.tidy(() => {
      const [logits, box] = this.outputs(images, false);
      return [tf.softmax(logits).dataSync() as Float32Array, box.dataSync() as Float32Array];
    });
    return this.detectionsFrom(probabilities, boxes, batch, width, height);
  }

  /**
   * The forward pass as a graph (for export): backbone, head, softmax → `class_probabilities [B, C]`
   * and `boxes [B, 4]` (cx, cy, w, h / side). The head's dense layer fixes the side: `imgsz` must be
   * {@link imageSize} (a {@link DetsegInputError} naming `--imgsz` otherwise).
   */
  networkGraph(net: NetworkGraph, images: GraphTensor, imgsz: number): { outputs: GraphOutput[]; postprocess: Record<string, unknown> } {
    if (imgsz !== this.imageSize) throw new DetsegInputError(`classification + localization takes ${this.imageSize}² images only, got ${imgsz}`, { field: '--imgsz' });
    const [features] = net.layers(this.backbone.model, [images]);
    const [logits, box] = net.layers(this.head, [features]);
    return {
      outputs: [
        { name: 'class_probabilities', value: net.softmax(logits, -1), dims: ['batch', this.numClasses] },
        { name: 'boxes', value: box, dims: ['batch', 4] },
      ],
      postprocess: { classloc: { box: 'cx, cy, w, h as fractions of the side (sigmoid); one detection per image: the most probable class' } },
    };
  }

  /** {@link detectionsFrom} of the graph's `class_probabilities` and `boxes`. */
  detectionsFromGraph(outputs: GraphResults, batch: number, width: number, height: number): Detections[] {
    return this.detectionsFrom(outputs.class_probabilities.data, outputs.boxes.data, batch, width, height);
  }

  /**
   * The detections of {@link predict} from the head's outputs as typed arrays (either runtime's):
   * `probabilities Float32Array [B, C]` (softmax), `boxes Float32Array [B, 4]` (cx, cy, w, h / side) →
   * one detection per image, in pixels of `width × height` images.
   */
  detectionsFrom(probabilities: Float32Array, boxes: Float32Array, batch: number, width: number, height: number): Detections[] {
    const c = this.numClasses;
    const out: Detections[] = [];
    for (let b = 0; b < batch; b++) {
      let best = 0;
      for (let k = 1; k < c; k++) if (probabilities[b * c + k] > probabilities[b * c + best]) best = k;
      const [cx, cy, w, h] = boxes.subarray(4 * b, 4 * b + 4);
      const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
      const xyxy = Float32Array.of(clip((cx - w / 2) * width, width), clip((cy - h / 2) * height, height), clip((cx + w / 2) * width, width), clip((cy + h / 2) * height, height));
      out.push({ boxes: xyxy, labels: Int32Array.of(best + 1), scores: Float32Array.of(probabilities[b * c + best]) });
    }
    return out;
  }

  /** No random sampling: nothing to re-seed. */
  reseed(): void {}

  dispose(): void {
    for (const m of this.models()) m.dispose();
  }
}
