import * as tf from '@tensorflow/tfjs';
import { buildBackbone, type Backbone, type BackboneOptions } from '../backbone/backbone.js';
import type { Detector } from '../detection/detector.js';
import type { GraphDetector, GraphOutput, GraphResults, GraphTensor, NetworkGraph } from '../detection/network-graph.js';
import { postprocessDetections, type PostprocessOptions } from '../detection/postprocess.js';
import { minimizeLosses } from '../detection/train-loop.js';
import type { DetectionTarget, Detections, LossValues } from '../detection/types.js';
import { nextSeed, seededInitializer, type SeedCounter } from '../../engine/initializers.js';
import { defaultBoxesPerLocation, ssdDefaultBoxes, type DefaultBoxOptions } from './default-boxes.js';
import { ssdLoss } from './loss.js';
import { SSD_BOX_CODER, ssdTargets } from './targets.js';

/** Options of {@link SSD}. Unknown keys are ignored. */
export interface SsdOptions extends DefaultBoxOptions {
  /** Object classes C (default 3: circle, square, triangle). */
  numClasses?: number;
  backbone?: BackboneOptions;
  /**
   * Backbone stages (0-based; stage s has stride 2^(s+1)) whose outputs are feature maps of the
   * detector (default: the last one only). The extra layers continue from the last stage.
   */
  featureStages?: number[];
  /** Extra stride-2 stages after the backbone, each one more (coarser) feature map (default 2). */
  extraLayers?: number;
  /** Channels of the extra stages (default 128). */
  extraWidth?: number;
  /** IoU above which a default box matches a ground truth (default 0.5). */
  matchThreshold?: number;
  /** Hard negatives per positive (default 3). */
  negativeRatio?: number;
  /** Inference: class probabilities at or below this are dropped (default 0.01, the paper's). */
  scoreThreshold?: number;
  /** Inference: IoU of the per-class NMS (default 0.45, the paper's). */
  nmsThreshold?: number;
  /** Inference: detections kept per image (default 100). */
  detectionsPerImage?: number;
  /** Inference: the best candidates per class that enter the NMS (default 400, torchvision's SSD `topk_candidates`). */
  candidatesPerClass?: number;
  /** Seed of every initialiser. */
  seed?: number;
}

/**
 * SSD (Liu et al. 2016): default boxes of several scales and aspect ratios on several feature maps
 * ({@link ssdDefaultBoxes}); on every map a 3×3 convolution predicts, for each default box, C + 1 class
 * scores and 4 offsets. Training matches default boxes to objects ({@link ssdMatch}) and minimises
 * {@link ssdLoss}; inference decodes every box, takes softmax scores per class and runs NMS per class.
 *
 * The feature maps are backbone stages (`featureStages`) and the outputs of `extraLayers` stages after
 * the backbone, each a 1×1 convolution to half the width then a 3×3 stride-2 convolution (the paper's
 * extra feature layers), with batch norm and ReLU.
 */
export class SSD implements Detector, GraphDetector {
  readonly numClasses: number;
  readonly backbone: Backbone;
  /** Inputs: the used backbone stages' outputs; outputs: per feature map its class scores and offsets. */
  readonly head: tf.LayersModel;
  readonly stride: number;
  /** Backbone stages fed to the head, increasing. */
  private readonly inputStages: number[];
  private readonly boxesPerLocation: number;
  private readonly defaults = new Map<string, Float32Array>();

  constructor(readonly options: SsdOptions = {}) {
    const seed = options.seed ?? 0;
    this.numClasses = options.numClasses ?? 3;
    this.backbone = buildBackbone({ seed, ...options.backbone });
    const stages = this.backbone.stages.outputs;
    const last = stages.length - 1;
    const featureStages = options.featureStages ?? [last];
    for (const s of featureStages) if (!Number.isInteger(s) || s < 0 || s > last) throw new RangeError(`SSD: featureStages entry ${s} is not a backbone stage (0..${last})`);
    const extras = options.extraLayers ?? 2;
    if (!Number.isInteger(extras) || extras < 0 || featureStages.length + extras === 0) throw new RangeError(`SSD: needs at least one feature map (extraLayers ${extras})`);
    this.inputStages = [...new Set([...featureStages, last])].sort((a, b) => a - b);
    this.stride = this.backbone.stride << extras;
    this.boxesPerLocation = defaultBoxesPerLocation(options);
    const seeds: SeedCounter = { seed: seed + 1, next: 0 };
    const inputs = this.inputStages.map((s) => tf.input({ shape: [null, null, stages[s].shape[3] as number], name: `ssd_stage${s}` }));
    const maps: tf.SymbolicTensor[] = [...featureStages].sort((a, b) => a - b).map((s) => inputs[this.inputStages.indexOf(s)]);
    const width = options.extraWidth ?? 128;
    let x = inputs[inputs.length - 1];
    const convBnRelu = (y: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number, name: string) => {
      y = tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: seededInitializer(seeds), name }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
      return tf.layers.reLU({ name: `${name}_relu` }).apply(y) as tf.SymbolicTensor;
    };
    for (let e = 0; e < extras; e++) {
      x = convBnRelu(x, Math.max(1, width >> 1), 1, 1, `ssd_extra${e}_reduce`);
      x = convBnRelu(x, width, 3, 2, `ssd_extra${e}_conv`); // [B, h/2, w/2, width]
      maps.push(x);
    }
    const predictor = (y: tf.SymbolicTensor, filters: number, name: string) =>
      tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotNormal({ seed: nextSeed(seeds) }), name }).apply(y) as tf.SymbolicTensor;
    const outputs = maps.flatMap((m, k) => [predictor(m, this.boxesPerLocation * (this.numClasses + 1), `ssd_cls${k}`), predictor(m, this.boxesPerLocation * 4, `ssd_box${k}`)]);
    this.head = tf.model({ inputs, outputs, name: 'ssd_head' });
  }

  models(): tf.LayersModel[] {
    return [this.backbone.model, this.head];
  }

  /** Default boxes `[K,4] xyxy` of feature maps of sizes `maps` on a `width × height` image (cached). */
  defaultBoxes(maps: Array<[number, number]>, width: number, height: number): Float32Array {
    const key = `${width}x${height}:${maps.map((m) => m.join('x')).join(',')}`;
    let boxes = this.defaults.get(key);
    if (!boxes) {
      boxes = ssdDefaultBoxes(maps, width, height, this.options);
      this.defaults.set(key, boxes);
    }
    return boxes;
  }

  /**
   * Class scores `[B,K,C+1]`, offsets `[B,K,4]`, the default boxes `[K,4]` of `images [B,H,W,3]` and the
   * feature maps' sizes `[h_k, w_k]` (finest first) the default boxes were laid on.
   */
  forward(images: tf.Tensor4D, training: boolean): { logits: tf.Tensor3D; deltas: tf.Tensor3D; defaults: Float32Array; maps: Array<[number, number]> } {
    const [n, height, width] = images.shape;
    const sizes: Array<[number, number]> = [];
    const { logits, deltas } = tf.tidy(() => {
      const stageOutputs = this.backbone.stages.apply(images, { training });
      const all = (Array.isArray(stageOutputs) ? stageOutputs : [stageOutputs]) as tf.Tensor4D[];
      const inputs = this.inputStages.map((s) => all[s]);
      const outs = this.head.apply(inputs.length === 1 ? inputs[0] : inputs, { training });
      const list = (Array.isArray(outs) ? outs : [outs]) as tf.Tensor4D[];
      const cls: tf.Tensor3D[] = [], box: tf.Tensor3D[] = [];
      for (let k = 0; k < list.length; k += 2) {
        const [, h, w] = list[k].shape;
        sizes.push([h, w]);
        cls.push(list[k].reshape([n, h * w * this.boxesPerLocation, this.numClasses + 1]));
        box.push(list[k + 1].reshape([n, h * w * this.boxesPerLocation, 4]));
      }
      return { logits: tf.concat(cls, 1) as tf.Tensor3D, deltas: tf.concat(box, 1) as tf.Tensor3D };
    });
    return { logits, deltas, defaults: this.defaultBoxes(sizes, width, height), maps: sizes };
  }

  forwardTrain(images: tf.Tensor4D, targets: DetectionTarget[]): Record<string, tf.Scalar> {
    const { logits, deltas, defaults } = this.forward(images, true);
    const assigned = targets.map((t) => ssdTargets(defaults, t, this.options.matchThreshold ?? 0.5));
    return ssdLoss(logits, deltas, assigned, this.options.negativeRatio ?? 3);
  }

  trainStep(optimizer: tf.Optimizer, images: tf.Tensor4D, targets: DetectionTarget[]): LossValues {
    const variables = this.models().flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
    return minimizeLosses(optimizer, variables, () => this.forwardTrain(images, targets));
  }

  predict(images: tf.Tensor4D): Detections[] {
    const [n, height, width] = images.shape;
    const { logits, deltas, defaults } = this.forward(images, false);
    const probabilities = tf.tidy(() => tf.softmax(logits, -1).dataSync() as Float32Array);
    const offsets = deltas.dataSync() as Float32Array;
    logits.dispose();
    deltas.dispose();
    return this.detectionsFrom(probabilities, offsets, defaults, n, width, height);
  }

  /**
   * The feature maps' sizes `[h_k, w_k]` (finest first) of a `height × width` image, as {@link forward}
   * finds them: the used backbone stages (stage s: the side halved s + 1 times, rounded up as 'same'
   * stride-2 convolutions do), then each extra stage halving the last.
   */
  featureMapSizes(height: number, width: number): Array<[number, number]> {
    const halve = (v: number, times: number) => {
      for (let t = 0; t < times; t++) v = Math.ceil(v / 2);
      return v;
    };
    const last = this.inputStages[this.inputStages.length - 1];
    const stages = [...(this.options.featureStages ?? [last])].sort((a, b) => a - b);
    const sizes: Array<[number, number]> = stages.map((st) => [halve(height, st + 1), halve(width, st + 1)]);
    for (let e = 1; e <= (this.options.extraLayers ?? 2); e++) sizes.push([halve(height, last + 1 + e), halve(width, last + 1 + e)]);
    return sizes;
  }

  /**
   * The forward pass as a graph (for export): backbone stages, head, each map's outputs reshaped to one
   * row per default box and concatenated, the softmax → `class_probabilities [B, K, C+1]` and
   * `box_deltas [B, K, 4]` over the K default boxes of {@link featureMapSizes}.
   */
  networkGraph(net: NetworkGraph, images: GraphTensor, imgsz: number): { outputs: GraphOutput[]; postprocess: Record<string, unknown> } {
    const stages = net.layers(this.backbone.stages, [images]);
    const outs = net.layers(this.head, this.inputStages.map((st) => stages[st]));
    const c1 = this.numClasses + 1;
    const cls: GraphTensor[] = [], box: GraphTensor[] = [];
    for (let k = 0; k < outs.length; k += 2) {
      cls.push(net.reshape(outs[k], [0, -1, c1]));
      box.push(net.reshape(outs[k + 1], [0, -1, 4]));
    }
    const maps = this.featureMapSizes(imgsz, imgsz);
    const count = maps.reduce((sum, [h, w]) => sum + h * w * this.boxesPerLocation, 0);
    const o = this.options;
    return {
      outputs: [
        { name: 'class_probabilities', value: net.softmax(net.concat(cls, 1), -1), dims: ['batch', count, c1] },
        { name: 'box_deltas', value: net.concat(box, 1), dims: ['batch', count, 4] },
      ],
      postprocess: {
        ssd: {
          featureMaps: maps,
          defaultBoxes: { sMin: o.sMin ?? 0.2, sMax: o.sMax ?? 0.9, aspectRatios: o.aspectRatios ?? [1, 2, 3, 1 / 2, 1 / 3], order: 'map by map, row-major locations, per location one box per aspect ratio then the extra one' },
          boxCoderWeights: SSD_BOX_CODER.weights,
          ...this.postprocessOptions(),
        },
      },
    };
  }

  /** Detections from the graph's `class_probabilities [B, K, C+1]` and `box_deltas [B, K, 4]` of `batch` `width × height` images. */
  detectionsFromGraph(outputs: GraphResults, batch: number, width: number, height: number): Detections[] {
    const defaults = this.defaultBoxes(this.featureMapSizes(height, width), width, height);
    return this.detectionsFrom(outputs.class_probabilities.data, outputs.box_deltas.data, defaults, batch, width, height);
  }

  private postprocessOptions(): PostprocessOptions {
    const o = this.options;
    return { scoreThreshold: o.scoreThreshold ?? 0.01, nmsThreshold: o.nmsThreshold ?? 0.45, detectionsPerImage: o.detectionsPerImage ?? 100, candidatesPerClass: o.candidatesPerClass ?? 400 };
  }

  /** Per image: every default box decoded with its offsets, softmax scores per class, NMS per class. */
  private detectionsFrom(probabilities: Float32Array, offsets: Float32Array, defaults: Float32Array, n: number, width: number, height: number): Detections[] {
    const k = defaults.length >> 2, c1 = this.numClasses + 1;
    if (probabilities.length !== n * k * c1 || offsets.length !== 4 * n * k) throw new Error(`SSD: ${k} default boxes, but ${probabilities.length} scores and ${offsets.length} offsets for ${n} image(s)`);
    const post = this.postprocessOptions();
    return Array.from({ length: n }, (_, b) => {
      // one class-agnostic offset per default box, given to every class
      const perClass = new Float32Array(4 * k * c1);
      for (let d = 0; d < k; d++) for (let c = 0; c < c1; c++) perClass.set(offsets.subarray(4 * (b * k + d), 4 * (b * k + d) + 4), 4 * (d * c1 + c));
      return postprocessDetections(probabilities.subarray(b * k * c1, (b + 1) * k * c1), perClass, defaults, this.numClasses, width, height, SSD_BOX_CODER, post);
    });
  }

  /** No random sampling in training: nothing to re-seed. */
  reseed(_step: number): void {}

  dispose(): void {
    for (const m of this.models()) m.dispose();
  }
}
