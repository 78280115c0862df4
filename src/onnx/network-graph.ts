import type * as tf from '@tensorflow/tfjs';
import type { GraphTensor, NetworkGraph } from '../models/detection/network-graph.js';
import { attr, type GraphBuilder } from './graph-builder.js';
import type { LayersConverter, Value } from './layers.js';

/**
 * A {@link NetworkGraph} that writes ONNX nodes into a {@link GraphBuilder}: tf.LayersModels through the
 * {@link LayersConverter}, the other ops one ONNX node each (MatMul, Add, Mul, Sub, Reshape, Transpose,
 * Concat, Slice, Softmax, Sigmoid, Relu, Sin, Log, Clip, Max, Min, Div, Greater (cast to float),
 * ReduceMax, TopK; rows gathered by GatherND with one batch axis; layer normalisation as
 * `LayerNormalization` from operator set 17, before as ReduceMean, Sub, Mul, Add, Sqrt and Div).
 * Every op takes and gives values in the model's axis order (a layer's NCHW output is transposed
 * back once, by the converter).
 */
export class OnnxNetworkGraph implements NetworkGraph {
  constructor(
    readonly graph: GraphBuilder,
    readonly converter: LayersConverter,
    /** Default-domain operator set the nodes must be valid in. */
    readonly opset: number,
  ) {}

  /** `v`'s ONNX name in the model's axis order. */
  private name(v: GraphTensor): string {
    return this.converter.keras(v as Value);
  }

  private value(name: string, rank: number): Value {
    return { name, layout: 'keras', rank };
  }

  /** One ONNX node of two broadcasting inputs; the result has the larger rank. */
  private binary(opType: string, a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.value(this.graph.node(opType, [this.name(a), this.name(b)]), Math.max(a.rank, b.rank));
  }

  layers(model: tf.LayersModel, inputs: GraphTensor[]): GraphTensor[] {
    return this.converter.convert(model, inputs as Value[]);
  }

  constant(base: string, values: ArrayLike<number>, shape: number[]): GraphTensor {
    if (values.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`constant ${base}: ${values.length} values for shape [${shape}]`);
    return this.value(this.graph.floats(base, values, shape), shape.length);
  }

  matMul(a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.binary('MatMul', a, b);
  }

  add(a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.binary('Add', a, b);
  }

  mul(a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.binary('Mul', a, b);
  }

  sub(a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.binary('Sub', a, b);
  }

  reshape(x: GraphTensor, shape: number[]): GraphTensor {
    return this.value(this.graph.node('Reshape', [this.name(x), this.graph.int64s('shape', shape)]), shape.length);
  }

  transpose(x: GraphTensor, perm: number[]): GraphTensor {
    if (perm.length !== x.rank) throw new Error(`transpose: permutation [${perm}] of a rank-${x.rank} value`);
    return this.value(this.graph.node('Transpose', [this.name(x)], [attr.ints('perm', perm)]), x.rank);
  }

  concat(xs: GraphTensor[], axis: number): GraphTensor {
    return this.value(this.graph.node('Concat', xs.map((x) => this.name(x)), [attr.i('axis', axis)]), xs[0].rank);
  }

  slice(x: GraphTensor, axis: number, start: number, end: number): GraphTensor {
    const g = this.graph;
    return this.value(g.node('Slice', [this.name(x), g.int64s('starts', [start]), g.int64s('ends', [end]), g.int64s('axes', [axis])]), x.rank);
  }

  softmax(x: GraphTensor, axis = -1): GraphTensor {
    return this.value(this.graph.node('Softmax', [this.name(x)], [attr.i('axis', axis)]), x.rank);
  }

  sigmoid(x: GraphTensor): GraphTensor {
    return this.value(this.graph.node('Sigmoid', [this.name(x)]), x.rank);
  }

  relu(x: GraphTensor): GraphTensor {
    return this.value(this.graph.node('Relu', [this.name(x)]), x.rank);
  }

  sin(x: GraphTensor): GraphTensor {
    return this.value(this.graph.node('Sin', [this.name(x)]), x.rank);
  }

  log(x: GraphTensor): GraphTensor {
    return this.value(this.graph.node('Log', [this.name(x)]), x.rank);
  }

  clip(x: GraphTensor, lo: number, hi: number): GraphTensor {
    const g = this.graph;
    return this.value(g.node('Clip', [this.name(x), g.floats('lo', [lo], []), g.floats('hi', [hi], [])]), x.rank);
  }

  maximum(a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.binary('Max', a, b);
  }

  minimum(a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.binary('Min', a, b);
  }

  div(a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.binary('Div', a, b);
  }

  greater(x: GraphTensor, threshold: number): GraphTensor {
    const g = this.graph;
    const above = g.node('Greater', [this.name(x), g.floats('threshold', [threshold], [])]);
    return this.value(g.node('Cast', [above], [attr.i('to', 1)]), x.rank); // 1: FLOAT
  }

  reduceMax(x: GraphTensor): GraphTensor {
    const g = this.graph;
    // the axes are an attribute up to operator set 17 and an input from 18 on
    const node = this.opset >= 18 ? g.node('ReduceMax', [this.name(x), g.int64s('axes', [-1])], [attr.i('keepdims', 0)]) : g.node('ReduceMax', [this.name(x)], [attr.ints('axes', [-1]), attr.i('keepdims', 0)]);
    return this.value(node, x.rank - 1);
  }

  topK(x: GraphTensor, k: number): GraphTensor {
    const g = this.graph;
    const [, indices] = g.nodeOutputs('TopK', [this.name(x), g.int64s('k', [k])], [attr.i('axis', -1), attr.i('largest', 1), attr.i('sorted', 1)], 2);
    return this.value(indices, x.rank);
  }

  gatherRows(x: GraphTensor, indices: GraphTensor): GraphTensor {
    const g = this.graph;
    const last = g.node('Reshape', [this.name(indices), g.int64s('shape', [0, 0, 1])]); // [B, k, 1]
    return this.value(g.node('GatherND', [this.name(x), last], [attr.i('batch_dims', 1)]), x.rank);
  }

  layerNorm(x: GraphTensor, gamma: GraphTensor, beta: GraphTensor, eps: number): GraphTensor {
    const g = this.graph;
    if (this.opset >= 17) return this.value(g.node('LayerNormalization', [this.name(x), this.name(gamma), this.name(beta)], [attr.i('axis', -1), attr.f('epsilon', eps)]), x.rank);
    // operator sets 13–16: ReduceMean takes its axes as an attribute (an input from 18 on, where the branch above is taken)
    const mean = (v: string) => g.node('ReduceMean', [v], [attr.ints('axes', [-1]), attr.i('keepdims', 1)]);
    const centred = g.node('Sub', [this.name(x), mean(this.name(x))]);
    const variance = mean(g.node('Mul', [centred, centred]));
    const std = g.node('Sqrt', [g.node('Add', [variance, g.floats('eps', [eps], [])])]);
    const normalised = g.node('Div', [centred, std]);
    return this.value(g.node('Add', [g.node('Mul', [normalised, this.name(gamma)]), this.name(beta)]), x.rank);
  }
}
