import type * as tf from '@tensorflow/tfjs';
import type { Detections } from './types.js';

/**
 * A detector's forward pass written as a dataflow graph, for export (ONNX, `src/onnx/network-graph.ts`
 * builds one). A family whose forward pass is more than tf.layers models applied in turn (YOLOv1's grid
 * pooling, SSD's per-level reshapes, DETR's transformer) describes the whole pass with these ops, in
 * the model's own axis order (NHWC for images), so the exporter needs no knowledge of the family.
 *
 * Shapes: a graph's batch size is known only at run time; `reshape` therefore takes ONNX's conventions
 * (0: this axis's size in the input, −1: the size that makes the element count match). Binary ops
 * broadcast numpy-style (a `[1, N, d]` operand against `[B, N, d]`, a `[d]` bias against `[…, d]`).
 */

/** A value of a {@link NetworkGraph}: opaque, with its rank. */
export interface GraphTensor {
  readonly rank: number;
}

/** The tensor ops a {@link GraphDetector} may use. */
export interface NetworkGraph {
  /** `model` applied to `inputs` (in `model.inputs` order), converted layer by layer → its outputs in `model.outputs` order. */
  layers(model: tf.LayersModel, inputs: GraphTensor[]): GraphTensor[];
  /** A float32 constant `values` of shape `shape` (`base` names it in the graph). */
  constant(base: string, values: ArrayLike<number>, shape: number[]): GraphTensor;
  /** Matrix product over the last two axes, leading axes broadcast (`[…, m, k] · [k, n]` → `[…, m, n]`). */
  matMul(a: GraphTensor, b: GraphTensor): GraphTensor;
  add(a: GraphTensor, b: GraphTensor): GraphTensor;
  mul(a: GraphTensor, b: GraphTensor): GraphTensor;
  /** a − b (broadcasting). */
  sub(a: GraphTensor, b: GraphTensor): GraphTensor;
  /** `x` with shape `shape` (0 keeps the input's size on that axis, −1 is inferred). */
  reshape(x: GraphTensor, shape: number[]): GraphTensor;
  transpose(x: GraphTensor, perm: number[]): GraphTensor;
  concat(xs: GraphTensor[], axis: number): GraphTensor;
  /** Elements `start` ≤ i < `end` of axis `axis`. */
  slice(x: GraphTensor, axis: number, start: number, end: number): GraphTensor;
  softmax(x: GraphTensor, axis?: number): GraphTensor;
  sigmoid(x: GraphTensor): GraphTensor;
  relu(x: GraphTensor): GraphTensor;
  /** Layer normalisation over the last axis: (x − mean) / √(variance + eps) · gamma + beta (`gamma`, `beta`: `[d]`). */
  layerNorm(x: GraphTensor, gamma: GraphTensor, beta: GraphTensor, eps: number): GraphTensor;
  sin(x: GraphTensor): GraphTensor;
  /** Natural logarithm. */
  log(x: GraphTensor): GraphTensor;
  /** Each element limited to [lo, hi]. */
  clip(x: GraphTensor, lo: number, hi: number): GraphTensor;
  /** Element-wise maximum (broadcasting). */
  maximum(a: GraphTensor, b: GraphTensor): GraphTensor;
  /** Element-wise minimum (broadcasting). */
  minimum(a: GraphTensor, b: GraphTensor): GraphTensor;
  /** Element-wise quotient a / b (broadcasting). */
  div(a: GraphTensor, b: GraphTensor): GraphTensor;
  /** 1 where x > `threshold`, else 0 (float). */
  greater(x: GraphTensor, threshold: number): GraphTensor;
  /** Maximum over the last axis (removed). */
  reduceMax(x: GraphTensor): GraphTensor;
  /** Indices (integer) of the k largest values of each row of `x: [B, M]` → `[B, k]`, largest first, ties to the lower index. */
  topK(x: GraphTensor, k: number): GraphTensor;
  /** Rows of `x: [B, M, D]` picked per batch item by integer `indices: [B, k]` → `[B, k, D]`. */
  gatherRows(x: GraphTensor, indices: GraphTensor): GraphTensor;
}

/** One named output of a {@link GraphDetector}'s graph, with its dimensions ('batch' for the batch axis). */
export interface GraphOutput {
  name: string;
  value: GraphTensor;
  dims: Array<number | 'batch'>;
}

/** The outputs a typed-array runtime returns for a graph: data and dimensions by output name. */
export type GraphResults = Record<string, { data: Float32Array; dims: readonly number[] }>;

/**
 * A detector whose whole network is one graph (`images [B, S, S, 3]` → named outputs) followed by a
 * TypeScript post-processing step, shared by the TF.js path and by any runtime of the exported graph.
 */
export interface GraphDetector {
  /**
   * Writes the forward pass from `images` (`[B, imgsz, imgsz, 3]`, normalised as `imagesToTensor`
   * does) into `net` → the graph's outputs and the post-processing settings (for the exported file's
   * metadata).
   */
  networkGraph(net: NetworkGraph, images: GraphTensor, imgsz: number): { outputs: GraphOutput[]; postprocess: Record<string, unknown> };
  /** Detections of `batch` `width × height` images from the graph's outputs (what `predict` returns). */
  detectionsFromGraph(outputs: GraphResults, batch: number, width: number, height: number): Detections[];
}

/** Whether `model` describes its forward pass as a graph (see {@link GraphDetector}). */
export function isGraphDetector(model: object): model is GraphDetector {
  const m = model as Partial<GraphDetector>;
  return typeof m.networkGraph === 'function' && typeof m.detectionsFromGraph === 'function';
}
