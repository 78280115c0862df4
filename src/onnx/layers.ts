import type * as tf from '@tensorflow/tfjs';
import { DetsegInputError } from '../util/errors.js';
import { attr, type GraphBuilder } from './graph-builder.js';

/**
 * Layer-by-layer conversion of a tf.LayersModel (functional, channels-last) into ONNX nodes.
 *
 * Layout: TF.js tensors are NHWC, ONNX Runtime's convolutions and pools NCHW. Every converted value
 * remembers its layout ('keras' = the model's own axis order, or 'nchw' for 4-D values), and a Transpose
 * is inserted (once per value) where an op needs the other one: convolutions, pools and batch norm run
 * in NCHW, Flatten / Reshape / Dense / Softmax in the model's order, so their weights and the flattening
 * order stay the model's. Kernels are transposed once at export. Graph inputs and outputs keep the model's
 * NHWC order, so both runtimes see the same shapes.
 */

/** A converted value: its ONNX name, its layout and its rank. */
export interface Value {
  name: string;
  layout: 'keras' | 'nchw';
  rank: number;
}

type Config = Record<string, unknown>;

interface LayerNode {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

function pair(v: unknown, name: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  throw new Error(`${name}: expected a number or a pair, got ${JSON.stringify(v)}`);
}

/** `values` of a `[kh, kw, a, b]` kernel reordered to `[order…]` of (kh, kw, a, b) axes. */
function permute4(values: Float32Array, shape: number[], order: [number, number, number, number]): Float32Array {
  const out = new Float32Array(values.length);
  const outShape = order.map((a) => shape[a]);
  const strides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const idx = [0, 0, 0, 0];
  let o = 0;
  for (idx[0] = 0; idx[0] < outShape[0]; idx[0]++) {
    for (idx[1] = 0; idx[1] < outShape[1]; idx[1]++) {
      for (idx[2] = 0; idx[2] < outShape[2]; idx[2]++) {
        for (idx[3] = 0; idx[3] < outShape[3]; idx[3]++) {
          let src = 0;
          for (let k = 0; k < 4; k++) src += idx[k] * strides[order[k]];
          out[o++] = values[src];
        }
      }
    }
  }
  return out;
}

/** Converts tf.LayersModels into nodes of one {@link GraphBuilder}; values are shared between models applied in turn. */
export class LayersConverter {
  private readonly values = new Map<number, Value>();
  private readonly other = new Map<string, string>();
  private readonly done = new Set<string>();

  constructor(readonly graph: GraphBuilder) {}

  /** `v` in the model's axis order (a Transpose the first time a 4-D NCHW value is asked so). */
  keras(v: Value): string {
    return v.layout === 'keras' ? v.name : this.transpose(v.name, TO_NHWC);
  }

  /** 4-D `v` in NCHW order. */
  nchw(v: Value): string {
    if (v.rank !== 4) throw new Error(`NCHW asked for a rank-${v.rank} value ${v.name}`);
    return v.layout === 'nchw' ? v.name : this.transpose(v.name, TO_NCHW);
  }

  private transpose(name: string, perm: number[]): string {
    let out = this.other.get(name);
    if (!out) {
      out = this.graph.node('Transpose', [name], [attr.ints('perm', perm)]);
      this.other.set(name, out);
      this.other.set(out, name);
    }
    return out;
  }

  /**
   * Adds the nodes of `model` with its inputs bound to `inputs` (in `model.inputs` order); returns its
   * outputs (in `model.outputs` order). Layers of an earlier model applied to the same symbolic tensors
   * are not converted twice.
   */
  convert(model: tf.LayersModel, inputs: Value[]): Value[] {
    if (inputs.length !== model.inputs.length) throw new Error(`${model.name}: ${model.inputs.length} inputs, ${inputs.length} given`);
    model.inputs.forEach((t, i) => this.values.set(t.id, inputs[i]));
    return model.outputs.map((t) => this.value(t));
  }

  private value(t: tf.SymbolicTensor): Value {
    const known = this.values.get(t.id);
    if (known) return known;
    const layer = t.sourceLayer as tf.layers.Layer & { inboundNodes: LayerNode[] };
    const node = layer.inboundNodes[t.nodeIndex];
    const ins = node.inputTensors.map((x) => this.value(x));
    const outs = this.layer(layer, ins, node.outputTensors.map((x) => x.shape.length));
    node.outputTensors.forEach((x, k) => this.values.set(x.id, outs[k]));
    const v = this.values.get(t.id);
    if (!v) throw new Error(`${layer.name}: output ${t.tensorIndex} not converted`);
    return v;
  }

  private weights(layer: tf.layers.Layer): Map<string, { values: Float32Array; shape: number[] }> {
    const out = new Map<string, { values: Float32Array; shape: number[] }>();
    for (const w of layer.weights) {
      const key = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      const t = w.read();
      out.set(key, { values: Float32Array.from(t.dataSync() as Float32Array), shape: t.shape.slice() });
    }
    return out;
  }

  private activation(x: Value, activation: unknown, layerName: string): Value {
    const name = typeof activation === 'string' ? activation : 'linear';
    switch (name) {
      case 'linear':
        return x;
      case 'relu':
        return { ...x, name: this.graph.node('Relu', [x.name]) };
      case 'sigmoid':
        return { ...x, name: this.graph.node('Sigmoid', [x.name]) };
      case 'tanh':
        return { ...x, name: this.graph.node('Tanh', [x.name]) };
      case 'elu':
        return { ...x, name: this.graph.node('Elu', [x.name], [attr.f('alpha', 1)]) };
      case 'softplus':
        return { ...x, name: this.graph.node('Softplus', [x.name]) };
      case 'relu6':
        return { ...x, name: this.graph.node('Clip', [x.name, this.graph.floats(`${layerName}/min`, [0], []), this.graph.floats(`${layerName}/max`, [6], [])]) };
      case 'softmax':
        return { name: this.graph.node('Softmax', [this.keras(x)], [attr.i('axis', -1)]), layout: 'keras', rank: x.rank };
      default:
        throw new DetsegInputError(`layer ${layerName}: activation '${name}' has no ONNX conversion`, { field: 'model' });
    }
  }

  /** The ONNX nodes of one layer applied to `ins`; `outRanks`: ranks of its outputs. */
  private layer(layer: tf.layers.Layer, ins: Value[], outRanks: number[]): Value[] {
    const g = this.graph;
    const cls = layer.getClassName();
    const config = layer.getConfig() as Config;
    const name = layer.name;
    if (this.done.has(`${name}#${ins.map((v) => v.name).join(',')}`)) throw new Error(`${name} converted twice on the same inputs`);
    this.done.add(`${name}#${ins.map((v) => v.name).join(',')}`);
    if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') throw new DetsegInputError(`layer ${name}: only channels-last layers convert, got ${String(config.dataFormat)}`, { field: 'model' });
    const x = ins[0];
    const nchwOut = (out: string): Value => ({ name: out, layout: 'nchw', rank: 4 });
    const pool2d = (op: string): Value[] => {
      const size = pair(config.poolSize, name);
      const strides = config.strides == null ? size : pair(config.strides, name);
      const pad = config.padding === 'same' ? [attr.s('auto_pad', 'SAME_UPPER')] : [attr.ints('pads', [0, 0, 0, 0])];
      const extra = op === 'AveragePool' ? [attr.i('count_include_pad', 0)] : [];
      return [nchwOut(g.node(op, [this.nchw(x)], [attr.ints('kernel_shape', size), attr.ints('strides', strides), ...pad, ...extra]))];
    };
    switch (cls) {
      case 'InputLayer':
      case 'Dropout':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
        return [x];
      case 'Conv2D': {
        const w = this.weights(layer);
        const kernel = w.get('kernel')!; // [kh, kw, cin, cout]
        const [kh, kw, cin, cout] = kernel.shape;
        const inputs = [this.nchw(x), g.floats(`${name}/W`, permute4(kernel.values, kernel.shape, [3, 2, 0, 1]), [cout, cin, kh, kw])];
        const bias = w.get('bias');
        if (bias) inputs.push(g.floats(`${name}/B`, bias.values, [cout]));
        const strides = pair(config.strides, name);
        const dilations = pair(config.dilationRate ?? 1, name);
        let padding;
        if (config.padding === 'valid') padding = [attr.ints('pads', [0, 0, 0, 0])];
        else if (config.padding !== 'same') throw new DetsegInputError(`layer ${name}: padding '${String(config.padding)}' has no ONNX conversion`, { field: 'model' });
        else if (strides[0] === 1 && strides[1] === 1) {
          // stride 1: TF pads (k − 1)·d in all, the smaller half first; explicit, as ORT has no SAME with dilation
          const [th, tw] = [(kh - 1) * dilations[0], (kw - 1) * dilations[1]];
          padding = [attr.ints('pads', [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)])];
        } else padding = [attr.s('auto_pad', 'SAME_UPPER')]; // strided: the padding depends on the input side
        const out = g.node('Conv', inputs, [attr.ints('kernel_shape', [kh, kw]), attr.ints('strides', strides), attr.ints('dilations', dilations), ...padding], `${name}/conv`);
        return [this.activation(nchwOut(out), config.activation, name)];
      }
      case 'Conv2DTranspose': {
        const w = this.weights(layer);
        const kernel = w.get('kernel')!; // [kh, kw, cout, cin]
        const [kh, kw, cout, cin] = kernel.shape;
        const [sh, sw] = pair(config.strides, name);
        const inputs = [this.nchw(x), g.floats(`${name}/W`, permute4(kernel.values, kernel.shape, [3, 2, 0, 1]), [cin, cout, kh, kw])];
        const bias = w.get('bias');
        if (bias) inputs.push(g.floats(`${name}/B`, bias.values, [cout]));
        if (config.padding !== 'same' && config.padding !== 'valid') throw new DetsegInputError(`layer ${name}: padding '${String(config.padding)}' has no ONNX conversion`, { field: 'model' });
        // TF's output side is in·s + max(k − s, 0) ('valid') or in·s ('same'); for 'same' the k − s
        // overlap is cut floor((k − s)/2) before and the rest after, as the forward convolution pads.
        const cut = (k: number, s: number) => (config.padding === 'same' ? Math.max(k - s, 0) : 0);
        const [ch, cw] = [cut(kh, sh), cut(kw, sw)];
        const pads = [Math.floor(ch / 2), Math.floor(cw / 2), ch - Math.floor(ch / 2), cw - Math.floor(cw / 2)];
        const outputPadding = [Math.max(sh - kh, 0), Math.max(sw - kw, 0)];
        const out = g.node('ConvTranspose', inputs, [attr.ints('kernel_shape', [kh, kw]), attr.ints('strides', [sh, sw]), attr.ints('pads', pads), attr.ints('output_padding', outputPadding)], `${name}/deconv`);
        if (config.dilationRate !== undefined && pair(config.dilationRate, name).some((d) => d !== 1)) throw new DetsegInputError(`layer ${name}: dilated transposed convolutions have no ONNX conversion here`, { field: 'model' });
        return [this.activation(nchwOut(out), config.activation, name)];
      }
      case 'BatchNormalization': {
        const axis = config.axis as number;
        if (axis !== -1 && axis !== x.rank - 1) throw new DetsegInputError(`layer ${name}: batch norm over axis ${axis} has no ONNX conversion (channel axis only)`, { field: 'model' });
        const w = this.weights(layer);
        const mean = w.get('moving_mean')!;
        const c = mean.values.length;
        const gamma = w.get('gamma')?.values ?? new Float32Array(c).fill(1);
        const beta = w.get('beta')?.values ?? new Float32Array(c);
        const input = x.rank === 4 ? this.nchw(x) : this.keras(x);
        const out = g.node('BatchNormalization', [input, g.floats(`${name}/scale`, gamma, [c]), g.floats(`${name}/B`, beta, [c]), g.floats(`${name}/mean`, mean.values, [c]), g.floats(`${name}/var`, w.get('moving_variance')!.values, [c])], [attr.f('epsilon', config.epsilon as number)], `${name}/bn`);
        return [{ name: out, layout: x.rank === 4 ? 'nchw' : 'keras', rank: x.rank }];
      }
      case 'ReLU': {
        const max = config.maxValue as number | null | undefined;
        if (max == null) return [{ ...x, name: g.node('Relu', [x.name]) }];
        return [{ ...x, name: g.node('Clip', [x.name, g.floats(`${name}/min`, [0], []), g.floats(`${name}/max`, [max], [])]) }];
      }
      case 'LeakyReLU':
        return [{ ...x, name: g.node('LeakyRelu', [x.name], [attr.f('alpha', (config.alpha as number | undefined) ?? 0.3)]) }];
      case 'Activation':
        return [this.activation(x, config.activation, name)];
      case 'Softmax': {
        const axis = (config.axis as number | undefined) ?? -1;
        return [{ name: g.node('Softmax', [this.keras(x)], [attr.i('axis', axis)]), layout: 'keras', rank: x.rank }];
      }
      case 'MaxPooling2D':
        return pool2d('MaxPool');
      case 'AveragePooling2D':
        return pool2d('AveragePool');
      case 'GlobalAveragePooling2D':
        return [{ name: g.node('Flatten', [g.node('GlobalAveragePool', [this.nchw(x)])], [attr.i('axis', 1)]), layout: 'keras', rank: 2 }];
      case 'GlobalMaxPooling2D':
        return [{ name: g.node('Flatten', [g.node('GlobalMaxPool', [this.nchw(x)])], [attr.i('axis', 1)]), layout: 'keras', rank: 2 }];
      case 'UpSampling2D': {
        const [sh, sw] = pair(config.size, name);
        const bilinear = config.interpolation === 'bilinear';
        const mode = bilinear ? [attr.s('mode', 'linear')] : [attr.s('mode', 'nearest'), attr.s('nearest_mode', 'floor')];
        return [nchwOut(g.node('Resize', [this.nchw(x), '', g.floats(`${name}/scales`, [1, 1, sh, sw], [4])], [attr.s('coordinate_transformation_mode', 'asymmetric'), ...mode]))];
      }
      case 'Add':
      case 'Multiply': {
        const op = cls === 'Add' ? 'Add' : 'Mul';
        const layout = x.layout;
        const names = ins.map((v) => (layout === 'nchw' && v.rank === 4 ? this.nchw(v) : this.keras(v)));
        let acc = names[0];
        for (let k = 1; k < names.length; k++) acc = g.node(op, [acc, names[k]]);
        return [{ name: acc, layout, rank: x.rank }];
      }
      case 'Concatenate': {
        const rank = x.rank;
        let axis = (config.axis as number | undefined) ?? -1;
        if (axis < 0) axis += rank;
        if (rank === 4 && axis > 0) {
          const nchwAxis = [0, 2, 3, 1][axis];
          return [nchwOut(g.node('Concat', ins.map((v) => this.nchw(v)), [attr.i('axis', nchwAxis)]))];
        }
        return [{ name: g.node('Concat', ins.map((v) => this.keras(v)), [attr.i('axis', axis)]), layout: 'keras', rank }];
      }
      case 'Flatten':
        return [{ name: g.node('Flatten', [this.keras(x)], [attr.i('axis', 1)]), layout: 'keras', rank: 2 }];
      case 'Reshape': {
        const target = config.targetShape as number[];
        return [{ name: g.node('Reshape', [this.keras(x), g.int64s(`${name}/shape`, [0, ...target])]), layout: 'keras', rank: outRanks[0] }];
      }
      case 'Dense': {
        const w = this.weights(layer);
        const kernel = w.get('kernel')!; // [in, units]
        let out = g.node('MatMul', [this.keras(x), g.floats(`${name}/W`, kernel.values, kernel.shape)], [], `${name}/matmul`);
        const bias = w.get('bias');
        if (bias) out = g.node('Add', [out, g.floats(`${name}/B`, bias.values, bias.shape)], [], `${name}/dense`);
        return [this.activation({ name: out, layout: 'keras', rank: x.rank }, config.activation, name)];
      }
      default:
        throw new DetsegInputError(`layer ${name} (${cls}) has no ONNX conversion`, { field: 'model' });
    }
  }
}
