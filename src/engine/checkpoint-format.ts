import { DetsegInputError, oneLine } from '../util/errors.js';

/**
 * Training checkpoints in one file:
 *
 *   bytes 0..7   magic `DSCKPT1\n`
 *   bytes 8..11  header length L (uint32, little-endian)
 *   bytes 12..   UTF-8 JSON header of L bytes, then zero padding to a multiple of 4
 *   then         the float32 blobs (little-endian) of every tensor, back to back, in header order
 *
 * The header holds the epoch, the step, the random-generator state, free metadata, and for every
 * tensor its group ('model' | 'optimizer'), name, shape and offset (in float32 elements from the
 * start of the blob area).
 *
 * This file is the byte format only, with no file access, so that a browser can decode checkpoint bytes
 * it fetched (`src/browser/models.ts`); reading and writing files is in `checkpoint.ts`.
 */

const MAGIC = 'DSCKPT1\n';

/** One tensor of a checkpoint: `values` is `Float32Array [prod(shape)]`, row-major. */
export interface CheckpointTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Everything a training run needs to continue. */
export interface CheckpointData {
  /** Completed epochs (the run resumes at this 0-based epoch). */
  epoch: number;
  /** Completed optimisation steps. */
  step: number;
  /** State of the run's random generator (seed and position). */
  rng: { seed: number; state: number };
  /** Model weights (trainable and not, e.g. batch-norm statistics), in the model's order. */
  model: CheckpointTensor[];
  /** Optimizer slots (Adam moments, momentum), in the optimizer's order; `optimizerName` says which. */
  optimizer: CheckpointTensor[];
  optimizerName: string;
  /** Free JSON metadata: model options, history of losses and metrics, … */
  meta?: Record<string, unknown>;
}

interface HeaderTensor {
  group: 'model' | 'optimizer';
  name: string;
  shape: number[];
  offset: number;
}

interface Header {
  format: 'detseg-checkpoint';
  version: 1;
  epoch: number;
  step: number;
  rng: { seed: number; state: number };
  optimizerName: string;
  meta: Record<string, unknown>;
  tensors: HeaderTensor[];
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Serialises a checkpoint to bytes (see the file comment for the layout). */
export function encodeCheckpoint(data: CheckpointData): Uint8Array {
  const tensors: HeaderTensor[] = [];
  let offset = 0;
  const all: Array<[CheckpointTensor, 'model' | 'optimizer']> = [
    ...data.model.map((t) => [t, 'model'] as [CheckpointTensor, 'model']),
    ...data.optimizer.map((t) => [t, 'optimizer'] as [CheckpointTensor, 'optimizer']),
  ];
  for (const [t, group] of all) {
    if (t.values.length !== sizeOf(t.shape)) throw new Error(`checkpoint tensor ${t.name}: ${t.values.length} values for shape [${t.shape}]`);
    tensors.push({ group, name: t.name, shape: [...t.shape], offset });
    offset += t.values.length;
  }
  const header: Header = {
    format: 'detseg-checkpoint',
    version: 1,
    epoch: data.epoch,
    step: data.step,
    rng: data.rng,
    optimizerName: data.optimizerName,
    meta: data.meta ?? {},
    tensors,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerEnd = 12 + json.length;
  const blobStart = Math.ceil(headerEnd / 4) * 4;
  const bytes = new Uint8Array(blobStart + offset * 4);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, 12);
  const blob = new Float32Array(bytes.buffer, blobStart, offset);
  let at = 0;
  for (const [t] of all) {
    blob.set(t.values, at);
    at += t.values.length;
  }
  return bytes;
}

/** Parses checkpoint bytes; `file` names the source in error messages. */
export function decodeCheckpoint(bytes: Uint8Array, file = 'checkpoint'): CheckpointData {
  const fail = (message: string, field?: string): never => {
    throw new DetsegInputError(message, { file, field });
  };
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail('not a detseg checkpoint (bad magic bytes)', 'magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`, 'header');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as Header;
  } catch (err) {
    return fail(`header is not valid JSON (${oneLine((err as Error).message, 120)})`, 'header');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return fail('header must be a JSON object', 'header');
  if (header.format !== 'detseg-checkpoint' || header.version !== 1) fail(`unsupported format ${String(header.format)} version ${String(header.version)}`, 'header.format');
  for (const key of ['epoch', 'step'] as const) {
    if (!Number.isInteger(header[key]) || header[key] < 0) fail(`must be a non-negative integer, got ${JSON.stringify(header[key])}`, `header.${key}`);
  }
  if (!Array.isArray(header.tensors)) fail('must be an array', 'header.tensors');
  const blobStart = Math.ceil((12 + headerLength) / 4) * 4;
  const blobCount = (bytes.length - blobStart) / 4;
  // Copy into a fresh aligned buffer (the input may be a view at any offset, e.g. a pooled Buffer).
  const blobBytes = new Uint8Array(Math.max(0, Math.floor(blobCount)) * 4);
  blobBytes.set(bytes.subarray(blobStart, blobStart + blobBytes.length));
  const blob = new Float32Array(blobBytes.buffer);
  const model: CheckpointTensor[] = [];
  const optimizer: CheckpointTensor[] = [];
  header.tensors.forEach((t, i) => {
    const field = `header.tensors[${i}]`;
    if (typeof t?.name !== 'string') fail('name must be a string', `${field}.name`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`shape must be a list of non-negative integers, got ${JSON.stringify(t.shape)}`, `${field}.shape`);
    const size = sizeOf(t.shape);
    if (!Number.isInteger(t.offset) || t.offset < 0 || t.offset + size > blob.length) fail(`tensor ${t.name} (offset ${t.offset}, ${size} values) runs past the end of the data (${blob.length} values)`, `${field}.offset`);
    const entry = { name: t.name, shape: t.shape, values: blob.slice(t.offset, t.offset + size) };
    // a diverged run saves NaN or infinite weights: refuse them here, where the file and weight are known
    const bad = entry.values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`weight ${t.name} holds a non-finite value (${entry.values[bad]} at index ${bad}): the checkpoint is unusable (did its training diverge?)`, field);
    if (t.group === 'model') model.push(entry);
    else if (t.group === 'optimizer') optimizer.push(entry);
    else fail(`group must be 'model' or 'optimizer', got ${JSON.stringify(t.group)}`, `${field}.group`);
  });
  if (header.meta !== undefined && (header.meta === null || typeof header.meta !== 'object' || Array.isArray(header.meta))) fail('must be a JSON object', 'header.meta');
  const rng = header.rng as unknown;
  if (rng !== undefined && (rng === null || typeof rng !== 'object' || !Number.isFinite((rng as { seed?: unknown }).seed) || !Number.isFinite((rng as { state?: unknown }).state))) {
    fail(`must be {seed, state} numbers, got ${JSON.stringify(rng)}`, 'header.rng');
  }
  return { epoch: header.epoch, step: header.step, rng: header.rng, optimizerName: header.optimizerName, meta: header.meta ?? {}, model, optimizer };
}
