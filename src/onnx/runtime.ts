import { DetsegInputError } from '../util/errors.js';
import type { OnnxPart } from './export.js';
import { decodeModel, encodeModel, metadataOf, type OnnxModel } from './proto.js';

/**
 * What detseg needs of an ONNX Runtime binding (onnxruntime-node in Node, onnxruntime-web in a
 * browser; both have the same API): create a session from model bytes, run it on float tensors. The
 * bindings are given by the caller, so this folder loads in either place.
 */

/** A tensor as the bindings return it. */
export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** An inference session. */
export interface OrtSessionLike {
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release?(): Promise<void>;
}

/** A binding: sessions from model bytes, float32 tensors. */
export interface OrtBinding {
  createSession(model: Uint8Array): Promise<OrtSessionLike>;
  tensor(data: Float32Array, dims: number[]): OrtTensorLike;
}

/**
 * The sub-model of `model` that computes `part.outputs` from `part.inputs`: the nodes the outputs
 * depend on (in the graph's order) and the initializers they read. A node that needs a graph input
 * outside the part raises an error.
 */
export function partModel(model: OnnxModel, part: OnnxPart): OnnxModel {
  const g = model.graph;
  const producer = new Map<string, number>();
  g.node.forEach((n, i) => n.output.forEach((o) => producer.set(o, i)));
  const inits = new Set(g.initializer.map((t) => t.name));
  const needed = new Set<number>();
  const stack = [...part.outputs];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    if (part.inputs.includes(name) || inits.has(name)) continue;
    const i = producer.get(name);
    if (i === undefined) throw new DetsegInputError(`value '${name}' of part '${part.name}' has no producer`, { field: 'detseg.parts' });
    needed.add(i);
    stack.push(...g.node[i].input);
  }
  const nodes = g.node.filter((_, i) => needed.has(i));
  const used = new Set(nodes.flatMap((n) => n.input));
  return {
    ...model,
    graph: {
      name: `${g.name}_${part.name}`,
      node: nodes,
      initializer: g.initializer.filter((t) => used.has(t.name)),
      input: g.input.filter((v) => part.inputs.includes(v.name)),
      output: part.outputs.map((o) => {
        const info = g.output.find((v) => v.name === o);
        if (!info) throw new DetsegInputError(`output '${o}' of part '${part.name}' is not a graph output`, { field: 'detseg.parts' });
        return info;
      }),
    },
  };
}

/** The parts listed in a detseg model's metadata (`detseg.parts`), checked. */
export function partsOf(model: OnnxModel, file: string): OnnxPart[] {
  const text = metadataOf(model).get('detseg.parts');
  if (text === undefined) throw new DetsegInputError('is not a detseg export (no detseg.parts metadata)', { file, field: 'metadata_props' });
  let parts: unknown;
  try {
    parts = JSON.parse(text);
  } catch {
    throw new DetsegInputError('is not JSON', { file, field: 'metadata_props.detseg.parts' });
  }
  const ok = Array.isArray(parts) && parts.every((p) => typeof p?.name === 'string' && Array.isArray(p.inputs) && Array.isArray(p.outputs));
  if (!ok) throw new DetsegInputError('must be a list of {name, inputs, outputs}', { file, field: 'metadata_props.detseg.parts' });
  return parts as OnnxPart[];
}

/** One session per part of an exported model, by part name. */
export class PartSessions {
  private constructor(
    readonly model: OnnxModel,
    readonly metadata: Map<string, string>,
    private readonly sessions: Map<string, OrtSessionLike>,
    readonly binding: OrtBinding,
  ) {}

  /** Decodes `bytes` and opens a session per part (a single-part model is opened as it is). */
  static async open(bytes: Uint8Array, binding: OrtBinding, file = 'model.onnx'): Promise<PartSessions> {
    const model = decodeModel(bytes, file);
    const parts = partsOf(model, file);
    const sessions = new Map<string, OrtSessionLike>();
    for (const part of parts) sessions.set(part.name, await binding.createSession(parts.length === 1 ? bytes : encodeModel(partModel(model, part))));
    return new PartSessions(model, metadataOf(model), sessions, binding);
  }

  /** Whether the model has a part of this name. */
  has(part: string): boolean {
    return this.sessions.has(part);
  }

  /** Runs one part on float inputs `{name: [data, dims]}` → its outputs as `Float32Array`s with dims. */
  async run(part: string, inputs: Record<string, [Float32Array, number[]]>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
    const session = this.sessions.get(part);
    if (!session) throw new Error(`the model has no part '${part}'`);
    const feeds: Record<string, OrtTensorLike> = {};
    for (const [name, [data, dims]] of Object.entries(inputs)) feeds[name] = this.binding.tensor(data, dims);
    const out = await session.run(feeds);
    const result: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const [name, t] of Object.entries(out)) result[name] = { data: t.data as Float32Array, dims: [...t.dims] };
    return result;
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await s.release?.();
  }
}
