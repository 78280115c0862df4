import * as tf from '@tensorflow/tfjs';
import { nextSeed, seededInitializer, type SeedCounter } from '../../engine/initializers.js';

/** Options of {@link buildBoxHead}. */
export interface BoxHeadOptions {
  /** Side of the pooled RoI features (7 for Faster R-CNN). */
  poolSize: number;
  /** Channels of the pooled features. */
  inChannels: number;
  /** Object classes C (the head predicts C + 1 including the background). */
  numClasses: number;
  /** Width of the two fully connected layers (torchvision: 1024; default 128 for the small backbone). */
  representationSize?: number;
  /** Layer-name prefix (default 'box'). */
  name?: string;
  seed?: number;
}

/**
 * The box head of Fast/Faster R-CNN (torchvision's `TwoMLPHead` + `FastRCNNPredictor`): pooled RoI
 * features are flattened and passed through two fully connected layers with ReLU, then two sibling
 * linear layers give the class logits (background + C) and class-specific box deltas.
 * `[K, poolSize, poolSize, inChannels]` → `[logits [K, C+1], deltas [K, 4(C+1)]]`, deltas of class c in
 * columns 4c..4c+3. The predictor starts from N(0, 0.01²) (logits) and N(0, 0.001²) (deltas), as in
 * Detectron.
 */
export function buildBoxHead(options: BoxHeadOptions): tf.LayersModel {
  const seeds: SeedCounter = { seed: options.seed ?? 0, next: 0 };
  const prefix = options.name ?? 'box';
  const hiddenSize = options.representationSize ?? 128;
  const c1 = options.numClasses + 1;
  const input = tf.input({ shape: [options.poolSize, options.poolSize, options.inChannels], name: `${prefix}_rois` }); // [K, p, p, C]
  let x = tf.layers.flatten({ name: `${prefix}_flatten` }).apply(input) as tf.SymbolicTensor; // [K, p·p·C]
  for (const k of [6, 7]) {
    x = tf.layers.dense({ units: hiddenSize, activation: 'relu', kernelInitializer: seededInitializer(seeds), name: `${prefix}_fc${k}` }).apply(x) as tf.SymbolicTensor; // [K, hidden]
  }
  const normal = (stddev: number) => tf.initializers.randomNormal({ mean: 0, stddev, seed: nextSeed(seeds) });
  const logits = tf.layers.dense({ units: c1, kernelInitializer: normal(0.01), name: `${prefix}_cls_score` }).apply(x) as tf.SymbolicTensor; // [K, C+1]
  const deltas = tf.layers.dense({ units: 4 * c1, kernelInitializer: normal(0.001), name: `${prefix}_bbox_pred` }).apply(x) as tf.SymbolicTensor; // [K, 4(C+1)]
  return tf.model({ inputs: input, outputs: [logits, deltas], name: `${prefix}_head` });
}
