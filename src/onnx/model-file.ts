import { DetsegInputError } from '../util/errors.js';
import type { GraphBuilder } from './graph-builder.js';
import type { OnnxModel } from './proto.js';

/** Operator-set versions the exporter writes (every op it emits keeps its meaning across them). */
export const OPSET_RANGE: readonly [number, number] = [13, 21];
/** Default operator set of `detseg export`. */
export const DEFAULT_OPSET = 17;

/** The ONNX IR version that goes with default-domain operator set `opset` (ONNX's versioning table). */
export function irVersionFor(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

/** Checks `opset` against {@link OPSET_RANGE} (a {@link DetsegInputError} naming `field`). */
export function checkOpset(opset: number, field = '--opset'): number {
  if (!Number.isInteger(opset) || opset < OPSET_RANGE[0] || opset > OPSET_RANGE[1]) throw new DetsegInputError(`must be an integer operator set in ${OPSET_RANGE[0]}..${OPSET_RANGE[1]}, got ${opset}`, { field });
  return opset;
}

/** The ModelProto of a built graph, with string metadata (`metadata_props`). */
export function modelOf(builder: GraphBuilder, name: string, opset: number, metadata: Record<string, string>, producerVersion: string): OnnxModel {
  return {
    irVersion: irVersionFor(checkOpset(opset)),
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'detseg',
    producerVersion,
    graph: builder.graph(name),
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  };
}
