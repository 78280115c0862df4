import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertOrtMatches } from '../helpers/onnx-compare.js';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/setup.js';
import { GraphBuilder } from '../../src/onnx/graph-builder.js';
import { LayersConverter } from '../../src/onnx/layers.js';
import { modelOf } from '../../src/onnx/model-file.js';
import { encodeModel } from '../../src/onnx/proto.js';
import { DetsegInputError } from '../../src/util/errors.js';

/**
 * Each layer class the converter knows, in small models with random weights: the ONNX graph on ONNX
 * Runtime against the TF.js layer itself (the reference semantics), on random inputs.
 */

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Sets every weight of `model` to seeded uniform values in (−0.5, 0.5) (moving variances in (0.5, 1.5)). */
function randomiseWeights(model: tf.LayersModel, seed: number): void {
  const random = seeded(seed);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    layer.setWeights(layer.weights.map((w, i) => {
      const n = ws[i].size;
      const values = Float32Array.from({ length: n }, () => random() / 2 + (w.originalName.endsWith('moving_variance') ? 1 : 0));
      return tf.tensor(values, ws[i].shape);
    }));
  }
}

async function compare(label: string, model: tf.LayersModel, inputShapes: number[][], tolerance = 1e-4): Promise<void> {
  randomiseWeights(model, label.length * 7919);
  const g = new GraphBuilder();
  const c = new LayersConverter(g);
  const inputs = inputShapes.map((shape, i) => ({ name: g.input(`in${i}`, shape), layout: 'keras' as const, rank: shape.length }));
  const outputs = c.convert(model, inputs);
  outputs.forEach((v, i) => g.output(`out${i}`, c.keras(v), model.outputs[i].shape.map((d, k) => d ?? `d${k}`)));
  const bytes = encodeModel(modelOf(g, label, 17, { 'detseg.parts': JSON.stringify([{ name: 'all', inputs: inputs.map((v) => v.name), outputs: outputs.map((_, i) => `out${i}`) }]) }, '0'));
  const random = seeded(label.length * 31 + 1);
  const data = inputShapes.map((shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random()));
  const expected = tf.tidy(() => {
    const out = model.predict(data.map((d, i) => tf.tensor(d, inputShapes[i])));
    return (Array.isArray(out) ? out : [out]).map((t) => ({ values: t.dataSync() as Float32Array, shape: t.shape }));
  });
  await assertOrtMatches(bytes, data, inputShapes, expected, label, tolerance);
}

const input = (shape: number[]) => tf.input({ shape });
const chain = (x: tf.SymbolicTensor, ...layers: tf.layers.Layer[]) => layers.reduce((y, l) => l.apply(y) as tf.SymbolicTensor, x);

test('onnx layers: Conv2D (same / valid, strides 1–2, dilation 2, with and without bias, activations) as TF.js computes it', async () => {
  await initEngine();
  const cases: Array<[string, tf.layers.Layer, number[]]> = [
    ['conv same s1 relu', tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' }), [2, 9, 7, 3]],
    ['conv same s2 odd', tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false }), [1, 9, 7, 2]],
    ['conv same s2 even', tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), [1, 8, 10, 2]],
    ['conv valid s2 5x3', tf.layers.conv2d({ filters: 3, kernelSize: [5, 3], strides: [2, 1], padding: 'valid', activation: 'sigmoid' }), [2, 11, 9, 2]],
    ['conv same dilation 2', tf.layers.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'tanh' }), [1, 10, 9, 2]],
    ['conv 1x1 softmax', tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'softmax' }), [1, 4, 5, 3]],
  ];
  for (const [label, layer, shape] of cases) {
    const x = input(shape.slice(1));
    await compare(label, tf.model({ inputs: x, outputs: chain(x, layer) }), [shape]);
  }
});

test('onnx layers: Conv2DTranspose (k2 s2, k4 s2 same, k3 s2 valid, k1 s2 valid) as TF.js computes it', async () => {
  await initEngine();
  const cases: Array<[string, tf.layers.Layer]> = [
    ['deconv k2 s2 same', tf.layers.conv2dTranspose({ filters: 3, kernelSize: 2, strides: 2, padding: 'same' })],
    ['deconv k4 s2 same', tf.layers.conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', useBias: false })],
    ['deconv k3 s2 same', tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })],
    ['deconv k3 s2 valid', tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'valid' })],
    ['deconv k1 s2 valid', tf.layers.conv2dTranspose({ filters: 2, kernelSize: 1, strides: 2, padding: 'valid' })],
  ];
  for (const [label, layer] of cases) {
    const x = input([5, 4, 3]);
    await compare(label, tf.model({ inputs: x, outputs: chain(x, layer) }), [[2, 5, 4, 3]]);
  }
});

test('onnx layers: batch norm (4-D and 2-D, without scale / centre), ReLU (capped), LeakyReLU, Activation, pools', async () => {
  await initEngine();
  const x = input([8, 6, 3]);
  const y = chain(
    x,
    tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3 }),
    tf.layers.reLU({ maxValue: 0.4 }),
    tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
    tf.layers.batchNormalization({ axis: 3, scale: false, center: false }),
    tf.layers.leakyReLU({ alpha: 0.2 }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.activation({ activation: 'elu' }),
    tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
    tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
    tf.layers.reLU(),
  );
  await compare('bn relu pools', tf.model({ inputs: x, outputs: y }), [[2, 8, 6, 3]]);
  const v = input([6]);
  await compare('bn 2-D', tf.model({ inputs: v, outputs: chain(v, tf.layers.batchNormalization({ axis: -1 }), tf.layers.activation({ activation: 'softplus' })) }), [[3, 6]]);
});

test('onnx layers: Add, Multiply and Concatenate across layouts, Flatten + Dense in the model\'s order, Reshape, Softmax, UpSampling2D', async () => {
  await initEngine();
  const x = input([4, 6, 3]);
  const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor; // NCHW inside the graph
  const sum = tf.layers.add().apply([conv, x]) as tf.SymbolicTensor; // NCHW + the model's layout
  const product = tf.layers.multiply().apply([x, sum]) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ axis: -1 }).apply([sum, product, x]) as tf.SymbolicTensor; // [B, 4, 6, 9]
  const rows = tf.layers.concatenate({ axis: 1 }).apply([cat, chain(cat, tf.layers.leakyReLU())]) as tf.SymbolicTensor; // [B, 8, 6, 9]
  const up = chain(rows, tf.layers.upSampling2d({ size: [2, 3] })); // nearest
  const upBilinear = chain(cat, tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }));
  const flat = chain(rows, tf.layers.flatten(), tf.layers.dense({ units: 7, activation: 'relu' }), tf.layers.dense({ units: 5, useBias: false }), tf.layers.softmax());
  const reshaped = chain(cat, tf.layers.reshape({ targetShape: [12, 18] }), tf.layers.dense({ units: 4 }));
  await compare('merge flatten dense reshape upsample', tf.model({ inputs: x, outputs: [up, upBilinear, flat, reshaped] }), [[2, 4, 6, 3]]);
  const a = input([5]), b = input([5]);
  await compare('two inputs', tf.model({ inputs: [a, b], outputs: chain(tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor, tf.layers.dense({ units: 3, activation: 'sigmoid' })) }), [[3, 5], [3, 5]]);
});

test('onnx layers: a layer without a conversion is a one-line DetsegInputError naming it', async () => {
  await initEngine();
  const x = input([6, 3]);
  const model = tf.model({ inputs: x, outputs: tf.layers.simpleRNN({ units: 2 }).apply(x) as tf.SymbolicTensor });
  const g = new GraphBuilder();
  assert.throws(() => new LayersConverter(g).convert(model, [{ name: g.input('x', [1, 6, 3]), layout: 'keras', rank: 3 }]), (err: unknown) => err instanceof DetsegInputError && /^model: layer simple_rnn\w* \(SimpleRNN\) has no ONNX conversion$/.test(err.message));
  const y = input([4, 4, 2]);
  const prelu = tf.model({ inputs: y, outputs: tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'selu' }).apply(y) as tf.SymbolicTensor });
  assert.throws(() => new LayersConverter(g).convert(prelu, [{ name: g.input('y', [1, 4, 4, 2]), layout: 'keras', rank: 4 }]), (err: unknown) => err instanceof DetsegInputError && /activation 'selu' has no ONNX conversion/.test(err.message));
});
