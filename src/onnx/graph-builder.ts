import { ATTR_FLOAT, ATTR_FLOATS, ATTR_INT, ATTR_INTS, ATTR_STRING, ONNX_FLOAT, ONNX_INT64, type OnnxAttribute, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './proto.js';

/** An attribute value: a float, an int, a string, or a list of ints / floats ({@link attr}). */
export type AttrValue = OnnxAttribute;

/** Attribute builders: the ONNX type is explicit, since JS numbers do not say float or int. */
export const attr = {
  f: (name: string, f: number): OnnxAttribute => ({ name, type: ATTR_FLOAT, f }),
  i: (name: string, i: number): OnnxAttribute => ({ name, type: ATTR_INT, i }),
  s: (name: string, s: string): OnnxAttribute => ({ name, type: ATTR_STRING, s: new TextEncoder().encode(s) }),
  ints: (name: string, ints: number[]): OnnxAttribute => ({ name, type: ATTR_INTS, ints }),
  floats: (name: string, floats: number[]): OnnxAttribute => ({ name, type: ATTR_FLOATS, floats }),
};

/** A dimension of a graph input or output: a size, or a name for a size known at run time. */
export type Dim = number | string;

function valueInfo(name: string, elemType: number, dims: readonly Dim[]): OnnxValueInfo {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

/**
 * Collects the nodes, initializers, inputs and outputs of one ONNX graph, with unique value names.
 * Initializers are stored as little-endian raw bytes.
 */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers = new Map<string, OnnxTensor>();
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  private readonly taken = new Set<string>();

  /** A name not used yet, `base` or `base_2`, `base_3`, …. */
  unique(base: string): string {
    let name = base;
    for (let k = 2; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  /** Adds a one-output node; returns the output's name (`out`, or a fresh one from the op). */
  node(opType: string, inputs: string[], attributes: OnnxAttribute[] = [], out?: string): string {
    const output = out ?? this.unique(`${inputs[0] ?? opType}/${opType}`);
    if (out !== undefined) this.taken.add(out);
    this.nodes.push({ name: this.unique(`node/${output}`), opType, input: inputs, output: [output], attribute: attributes });
    return output;
  }

  /** Adds a node with `count` outputs (TopK's values and indices); returns their names. */
  nodeOutputs(opType: string, inputs: string[], attributes: OnnxAttribute[], count: number): string[] {
    const base = `${inputs[0] ?? opType}/${opType}`;
    const outputs = Array.from({ length: count }, (_, k) => this.unique(k === 0 ? base : `${base}_${k}`));
    this.nodes.push({ name: this.unique(`node/${outputs[0]}`), opType, input: inputs, output: outputs, attribute: attributes });
    return outputs;
  }

  /** A float32 initializer `values` of shape `dims`; returns its name. */
  floats(base: string, values: ArrayLike<number>, dims: number[]): string {
    const name = this.unique(base);
    const bytes = new Uint8Array(4 * values.length);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
    this.initializers.set(name, { name, dims, dataType: ONNX_FLOAT, rawData: bytes });
    return name;
  }

  /** An int64 initializer (a 1-D list such as a shape or permutation); returns its name. */
  int64s(base: string, values: number[]): string {
    const name = this.unique(base);
    const bytes = new Uint8Array(8 * values.length);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
    this.initializers.set(name, { name, dims: [values.length], dataType: ONNX_INT64, rawData: bytes });
    return name;
  }

  /** Declares a float graph input. */
  input(name: string, dims: readonly Dim[]): string {
    this.taken.add(name);
    this.inputs.push(valueInfo(name, ONNX_FLOAT, dims));
    return name;
  }

  /** Declares `value` as the float graph output `name` (through an Identity node when the names differ). */
  output(name: string, value: string, dims: readonly Dim[]): void {
    if (value !== name) this.node('Identity', [value], [], name);
    this.outputs.push(valueInfo(name, ONNX_FLOAT, dims));
  }

  /** The graph so far. */
  graph(name: string): OnnxGraph {
    return { name, node: this.nodes, initializer: [...this.initializers.values()], input: this.inputs, output: this.outputs };
  }
}
