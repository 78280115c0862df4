import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint, type CheckpointData } from '../../src/engine/checkpoint.js';
import { DetsegInputError } from '../../src/util/errors.js';

function sample(): CheckpointData {
  return {
    epoch: 3,
    step: 42,
    rng: { seed: 7, state: 3 },
    optimizerName: 'adam',
    meta: { note: 'é ünïcode', history: [{ epoch: 0, loss: 0.5 }] },
    model: [
      { name: 'conv/kernel', shape: [3, 3, 1, 2], values: Float32Array.from({ length: 18 }, (_, i) => i / 7 - 1) },
      { name: 'conv/bias', shape: [2], values: Float32Array.of(Math.PI, -0) },
      { name: 'empty', shape: [0, 4], values: new Float32Array(0) },
    ],
    optimizer: [
      { name: 'iter', shape: [], values: Float32Array.of(42) },
      { name: 'conv/kernel/m', shape: [3, 3, 1, 2], values: Float32Array.from({ length: 18 }, (_, i) => 1e-30 * i) },
    ],
  };
}

test('a checkpoint round-trips bit for bit through a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-ckpt-'));
  const path = join(dir, 'run.ckpt');
  const data = sample();
  saveCheckpoint(path, data);
  const back = loadCheckpoint(path);
  assert.equal(back.epoch, 3);
  assert.equal(back.step, 42);
  assert.deepEqual(back.rng, { seed: 7, state: 3 });
  assert.equal(back.optimizerName, 'adam');
  assert.deepEqual(back.meta, data.meta);
  assert.deepEqual(back.model.map((t) => [t.name, t.shape]), data.model.map((t) => [t.name, t.shape]));
  for (const [i, t] of [...back.model, ...back.optimizer].entries()) {
    const ref = [...data.model, ...data.optimizer][i];
    assert.deepEqual(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), new Uint8Array(ref.values.buffer, ref.values.byteOffset, ref.values.byteLength), t.name);
  }
});

test('the layout is magic, header length, JSON header, 4-byte aligned float32 blobs', () => {
  const bytes = encodeCheckpoint(sample());
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), 'DSCKPT1\n');
  const headerLength = new DataView(bytes.buffer).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  assert.equal(header.tensors[1].name, 'conv/bias');
  assert.equal(header.tensors[1].offset, 18);
  const blobStart = Math.ceil((12 + headerLength) / 4) * 4;
  assert.equal(new DataView(bytes.buffer).getFloat32(blobStart + 18 * 4, true), Math.fround(Math.PI));
  assert.equal(bytes.length, blobStart + (18 + 2 + 0 + 1 + 18) * 4);
});

test('bad checkpoints raise DetsegInputError naming the file and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-ckpt-'));
  const bad = join(dir, 'bad.ckpt');
  writeFileSync(bad, 'hello world, not a checkpoint');
  assert.throws(() => loadCheckpoint(bad), (e: unknown) => e instanceof DetsegInputError && e.message.includes(bad) && e.message.includes('magic'));
  assert.throws(() => loadCheckpoint(join(dir, 'missing.ckpt')), (e: unknown) => e instanceof DetsegInputError && /ENOENT/.test(e.message));
  const good = encodeCheckpoint(sample());
  // Truncated data: the last tensor runs past the end.
  assert.throws(() => decodeCheckpoint(good.subarray(0, good.length - 8), 'cut.ckpt'), (e: unknown) => e instanceof DetsegInputError && e.message.includes('cut.ckpt') && e.message.includes('header.tensors[4].offset'));
  // Corrupted header JSON.
  const corrupt = Uint8Array.from(good);
  corrupt[12] = 0x7b + 1;
  assert.throws(() => decodeCheckpoint(corrupt, 'c.ckpt'), /c\.ckpt: header: header is not valid JSON/);
  // A negative epoch.
  const path = join(dir, 'neg.ckpt');
  writeFileSync(path, encodeCheckpoint({ ...sample(), epoch: -1 }));
  assert.throws(() => loadCheckpoint(path), /header\.epoch: must be a non-negative integer/);
  assert.ok(readFileSync(path).length > 0);
});

test('a checkpoint holding NaN or infinite weights is refused at load, naming the file and the weight', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-ckpt-'));
  const path = join(dir, 'nan.ckpt');
  const values = new Float32Array([0.5, -1, Number.NaN, 2]);
  saveCheckpoint(path, { epoch: 1, step: 3, rng: { seed: 0, state: 0 }, model: [{ name: 'conv1/kernel', shape: [2, 2], values: new Float32Array(4) }, { name: 'conv2/kernel', shape: [4], values }], optimizer: [], optimizerName: 'adam' });
  assert.throws(() => loadCheckpoint(path), (e: unknown) => e instanceof DetsegInputError && e.message === `${path}: header.tensors[1]: weight conv2/kernel holds a non-finite value (NaN at index 2): the checkpoint is unusable (did its training diverge?)`);
  values[2] = Number.POSITIVE_INFINITY;
  assert.throws(() => decodeCheckpoint(encodeCheckpoint({ epoch: 0, step: 0, rng: { seed: 0, state: 0 }, model: [{ name: 'w', shape: [4], values }], optimizer: [], optimizerName: 'none' }), 'inf.ckpt'), /inf\.ckpt: header\.tensors\[0\]: weight w holds a non-finite value \(Infinity at index 2\)/);
  // a header that is JSON but not an object
  const bytes = encodeCheckpoint({ epoch: 0, step: 0, rng: { seed: 0, state: 0 }, model: [], optimizer: [], optimizerName: 'none' });
  const text = new TextEncoder().encode('null');
  const broken = new Uint8Array(12 + text.length);
  broken.set(bytes.subarray(0, 8));
  new DataView(broken.buffer).setUint32(8, text.length, true);
  broken.set(text, 12);
  assert.throws(() => decodeCheckpoint(broken, 'null.ckpt'), /null\.ckpt: header: header must be a JSON object$/);
});
