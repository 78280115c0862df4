import { test } from 'node:test';
import { assertOrtMatches } from '../helpers/onnx-compare.js';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/setup.js';
import type { GraphTensor, NetworkGraph } from '../../src/models/detection/network-graph.js';
import { multiHeadAttention, multiHeadAttentionGraph, type AttentionGraphWeights, type AttentionWeights } from '../../src/models/detr/attention.js';
import { layerNorm } from '../../src/models/detr/layer-norm.js';
import { selectProposals, selectProposalsGraph } from '../../src/models/detr/proposal-selection.js';
import { gridPool, gridPoolGraph } from '../../src/models/yolov1/grid-pool.js';
import { activateYoloOutput, activateYoloOutputGraph } from '../../src/models/yolov1/output.js';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';
import { LayersConverter } from '../../src/onnx/layers.js';
import { modelOf } from '../../src/onnx/model-file.js';
import { OnnxNetworkGraph } from '../../src/onnx/network-graph.js';
import { encodeModel } from '../../src/onnx/proto.js';

/**
 * Each op of the ONNX {@link OnnxNetworkGraph}, and the graph forms of YOLOv1's grid pooling and output
 * activations and of DETR's multi-head attention: the graph on ONNX Runtime against the TF.js op (the
 * reference semantics) on seeded random inputs; worst difference relative to max(1, |reference|).
 */

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const randomArray = (random: () => number, shape: number[]) => Float32Array.from({ length: size(shape) }, () => random());

/**
 * Builds `graph(net, inputs)` on graph inputs of shapes `shapes` (at `opset`), runs it on ONNX Runtime
 * and compares each output with `reference` (TF.js) on the same random inputs.
 */
async function compare(label: string, shapes: number[][], graph: (net: NetworkGraph, xs: GraphTensor[]) => GraphTensor[], reference: (xs: tf.Tensor[]) => tf.Tensor[], opset = 17, tolerance = 1e-5): Promise<void> {
  const g = new GraphBuilder();
  const net = new OnnxNetworkGraph(g, new LayersConverter(g), opset);
  const inputs = shapes.map((shape, i) => ({ name: g.input(`in${i}`, shape), layout: 'keras' as const, rank: shape.length }));
  const outputs = graph(net, inputs);
  const random = seeded(label.length * 7919 + opset);
  const data = shapes.map((shape) => randomArray(random, shape));
  const expected = tf.tidy(() => reference(data.map((d, i) => tf.tensor(d, shapes[i]))).map((t) => ({ values: t.dataSync() as Float32Array, shape: t.shape })));
  outputs.forEach((v, i) => g.output(`out${i}`, net.converter.keras(v as never), expected[i].shape));
  const parts = [{ name: 'all', inputs: inputs.map((v) => v.name), outputs: outputs.map((_, i) => `out${i}`) }];
  await assertOrtMatches(encodeModel(modelOf(g, label, opset, { 'detseg.parts': JSON.stringify(parts) }, '0')), data, shapes, expected, label, tolerance);
}

test('onnx network graph: MatMul (2-D weights, batched, broadcast batch), Add / Mul / Sub broadcasting, as TF.js computes them', async () => {
  await initEngine();
  const w = randomArray(seeded(3), [4, 5]);
  await compare('matmul weights', [[2, 3, 4]], (net, [x]) => [net.matMul(x, net.constant('w', w, [4, 5]))], ([x]) => [tf.reshape(tf.matMul(tf.reshape(x, [6, 4]), tf.tensor2d(w, [4, 5])), [2, 3, 5])]);
  await compare('matmul batched', [[2, 3, 3, 4], [2, 3, 4, 2]], (net, [a, b]) => [net.matMul(a, b)], ([a, b]) => [tf.matMul(a as tf.Tensor4D, b as tf.Tensor4D)]);
  await compare('matmul broadcast', [[1, 3, 5, 4], [2, 3, 4, 6]], (net, [a, b]) => [net.matMul(a, b)], ([a, b]) => [tf.matMul(tf.tile(a, [2, 1, 1, 1]) as tf.Tensor4D, b as tf.Tensor4D)]);
  await compare('add mul sub broadcast', [[2, 3, 4], [4], [1, 3, 4]], (net, [x, bias, y]) => [net.add(x, bias), net.mul(y, x), net.mul(x, net.constant('half', [0.5], [])), net.sub(y, x), net.sub(x, bias)], ([x, bias, y]) => [tf.add(x, bias), tf.mul(y, x), tf.mul(x, 0.5), tf.sub(y, x), tf.sub(x, bias)]);
});

test('onnx network graph: Reshape (0 keeps an axis, −1 inferred), Transpose, Concat, Slice, Softmax, Sigmoid, Relu, as TF.js computes them', async () => {
  await initEngine();
  await compare('reshape', [[2, 3, 4]], (net, [x]) => [net.reshape(x, [0, -1, 2]), net.reshape(x, [0, 0, 2, 2])], ([x]) => [tf.reshape(x, [2, 6, 2]), tf.reshape(x, [2, 3, 2, 2])]);
  await compare('transpose', [[2, 3, 4, 5]], (net, [x]) => [net.transpose(x, [0, 2, 3, 1]), net.transpose(x, [0, 2, 1, 3])], ([x]) => [tf.transpose(x, [0, 2, 3, 1]), tf.transpose(x, [0, 2, 1, 3])]);
  await compare('concat', [[2, 3, 4], [2, 5, 4]], (net, [a, b]) => [net.concat([a, b, a], 1)], ([a, b]) => [tf.concat([a, b, a], 1)]);
  await compare('slice', [[2, 3, 4, 9]], (net, [x]) => [net.slice(x, 3, 2, 7), net.slice(x, 1, 0, 1)], ([x]) => [tf.slice(x, [0, 0, 0, 2], [2, 3, 4, 5]), tf.slice(x, [0, 0, 0, 0], [2, 1, 4, 9])]);
  await compare('activations', [[2, 3, 7]], (net, [x]) => [net.softmax(x, -1), net.sigmoid(x), net.relu(x)], ([x]) => [tf.softmax(x, -1), tf.sigmoid(x), tf.relu(x)]);
});

test('onnx network graph: Sin, Log, Clip, ReduceMax (operator sets 13 and 18), and TopK indices picking rows through GatherND, as TF.js computes them', async () => {
  await initEngine();
  await compare('sin log clip', [[2, 3, 5]], (net, [x]) => [net.sin(net.mul(x, net.constant('four', [4], []))), net.log(net.clip(x, 0.1, 0.9)), net.clip(x, -0.5, 0.25)], ([x]) => [tf.sin(tf.mul(x, 4)), tf.log(tf.clipByValue(x, 0.1, 0.9)), tf.clipByValue(x, -0.5, 0.25)]);
  for (const opset of [13, 18]) await compare(`reduce max ${opset}`, [[2, 3, 5]], (net, [x]) => [net.reduceMax(x)], ([x]) => [tf.max(x, -1)], opset);
  await compare('top k rows', [[2, 9], [2, 9, 3]], (net, [score, rows]) => [net.gatherRows(rows, net.topK(score, 4))], ([score, rows]) => {
    // by a plain loop: the rows of the 4 largest scores of each batch item, largest first
    const s = score.arraySync() as number[][], r = rows.arraySync() as number[][][];
    return [tf.tensor(s.map((row, b) => row.map((v, k) => [v, k]).sort((x, y) => y[0] - x[0] || x[1] - y[1]).slice(0, 4).map(([, k]) => r[b][k])))];
  });
});

test('onnx network graph: Max, Min, Div, Greater (as 0 / 1) as TF.js computes them; DETR\'s proposal choice (TopK, and Fast NMS on pairwise IoUs) as selectProposals', async () => {
  await initEngine();
  await compare('max min div greater', [[2, 3, 4], [1, 3, 4]], (net, [a, b]) => [net.maximum(a, b), net.minimum(a, b), net.div(a, net.add(b, net.constant('two', [2], []))), net.greater(a, 0.25)], ([a, b]) => [tf.maximum(a, b), tf.minimum(a, b), tf.div(a, tf.add(b, 2)), tf.cast(tf.greater(a, 0.25), 'float32')]);
  // crowded boxes (centres and sides in σ(±1) ≈ 0.27–0.73): many cells suppressed, some choices filled up with suppressed ones
  for (const [m, n, threshold] of [[12, 5, undefined], [12, 5, 0.5], [12, 9, 0.3], [30, 8, 0.7]] as const) {
    await compare(`proposals ${m} ${n} ${threshold}`, [[2, m], [2, m, 4]], (net, [score, raw]) => {
      const boxes = net.sigmoid(raw);
      return selectProposalsGraph(net, score, boxes, [boxes, raw], m, n, threshold);
    }, ([score, raw]) => {
      const s = score.dataSync() as Float32Array, boxes = tf.sigmoid(raw).dataSync() as Float32Array, r = raw.dataSync() as Float32Array;
      const picked = [0, 1].map((b) => Array.from(selectProposals(s.subarray(b * m, (b + 1) * m), boxes.subarray(4 * b * m, 4 * (b + 1) * m), n, threshold)));
      return [boxes, r].map((v) => tf.tensor(picked.map((cells, b) => cells.map((k) => Array.from(v.subarray(4 * (b * m + k), 4 * (b * m + k) + 4))))));
    });
  }
});

test('onnx network graph: layer norm as DETR\'s layerNorm, as LayerNormalization (operator sets 17, 21) and decomposed (13)', async () => {
  await initEngine();
  const random = seeded(11);
  const gamma = randomArray(random, [6]), beta = randomArray(random, [6]);
  for (const opset of [13, 17, 21]) {
    await compare(`layer norm ${opset}`, [[2, 5, 6]], (net, [x]) => [net.layerNorm(x, net.constant('gamma', gamma, [6]), net.constant('beta', beta, [6]), 1e-5)], ([x]) => [layerNorm(x, tf.tensor1d(gamma), tf.tensor1d(beta))], opset);
  }
});

test('onnx network graph: a layers model inside (its NCHW output back in the model\'s order) followed by graph ops', async () => {
  await initEngine();
  const x = tf.input({ shape: [6, 4, 3] });
  const model = tf.model({ inputs: x, outputs: tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }), biasInitializer: 'ones' }).apply(x) as tf.SymbolicTensor });
  await compare('layers then reshape', [[2, 6, 4, 3]], (net, [v]) => [net.reshape(net.layers(model, [v])[0], [0, -1, 5])], ([v]) => [tf.reshape(model.predict(v) as tf.Tensor, [2, 24, 5])]);
});

test('onnx network graph: YOLOv1\'s grid pooling (a multiple, shared boundary cells, the identity) and output activations as the TF.js functions', async () => {
  await initEngine();
  for (const [h, w, s] of [[16, 16, 8], [12, 10, 5], [7, 7, 7]]) {
    await compare(`grid pool ${h}x${w} to ${s}`, [[2, h, w, 3]], (net, [x]) => [gridPoolGraph(net, x, h, w, s, 3)], ([x]) => [gridPool(x as tf.Tensor4D, s)]);
  }
  const grid = { s: 4, b: 2, c: 3 };
  await compare('yolo activations', [[2, 4, 4, 13]], (net, [x]) => [activateYoloOutputGraph(net, x, grid)], ([x]) => [activateYoloOutput(x as tf.Tensor4D, grid)]);
});

test('onnx network graph: DETR\'s multi-head attention (self, cross, queries of batch 1 against 2 images) as multiHeadAttention', async () => {
  await initEngine();
  const d = 8, heads = 2;
  const random = seeded(17);
  const names = ['wq', 'bq', 'wk', 'bk', 'wv', 'bv', 'wo', 'bo'] as const;
  const values = Object.fromEntries(names.map((n) => [n, randomArray(random, n.startsWith('w') ? [d, d] : [d])])) as Record<(typeof names)[number], Float32Array>;
  const graphWeights = (net: NetworkGraph) => Object.fromEntries(names.map((n) => [n, net.constant(n, values[n], n.startsWith('w') ? [d, d] : [d])])) as AttentionGraphWeights;
  const tfWeights = () => Object.fromEntries(names.map((n) => [n, n.startsWith('w') ? tf.tensor2d(values[n], [d, d]) : tf.tensor1d(values[n])])) as unknown as AttentionWeights;
  await compare('self attention', [[2, 5, d]], (net, [x]) => [multiHeadAttentionGraph(net, x, x, x, graphWeights(net), heads, d)], ([x]) => [multiHeadAttention(x as tf.Tensor3D, x as tf.Tensor3D, x as tf.Tensor3D, tfWeights(), heads).output]);
  await compare('cross attention', [[1, 4, d], [2, 6, d], [2, 6, d]], (net, [q, k, v]) => [multiHeadAttentionGraph(net, q, k, v, graphWeights(net), heads, d)], ([q, k, v]) =>
    [multiHeadAttention(tf.tile(q, [2, 1, 1]) as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D, tfWeights(), heads).output]);
});
