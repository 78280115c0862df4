import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roiAlign } from '../../src/roi/align.js';
import { RoiBuffers } from '../../src/roi/buffers.js';
import { roiPool } from '../../src/roi/pool.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';
import { randomRois } from './random-rois.js';

test('RoiBuffers: exact lengths on one buffer per slot, grown by at least a quarter only when outgrown', () => {
  const b = new RoiBuffers();
  const first = b.float32('out', 10);
  assert.equal(first.length, 10);
  assert.equal(first.buffer.byteLength, 40);
  first.fill(3);
  const smaller = b.float32('out', 5);
  assert.equal(smaller.length, 5);
  assert.equal(smaller.buffer, first.buffer, 'a smaller request reuses the buffer');
  assert.deepEqual(Array.from(smaller), [3, 3, 3, 3, 3], 'contents are left as they are');
  const larger = b.float32('out', 11);
  assert.notEqual(larger.buffer, first.buffer);
  assert.equal(larger.buffer.byteLength, 52, 'max(44 bytes, 1.25 × 40 rounded up to whole elements)');
  assert.equal(b.float32('out', 13).buffer, larger.buffer);
  const big = b.float32('out', 1000);
  assert.equal(big.buffer.byteLength, 4000, 'a large jump takes exactly what is asked');
  // Other slots and the int32 slot of the same name have buffers of their own.
  const arg = b.int32('out', 7);
  assert.ok(arg instanceof Int32Array);
  assert.notEqual(arg.buffer, big.buffer);
  assert.notEqual(b.float32('grad', 7).buffer, big.buffer);
  assert.equal(b.byteLength, 4000 + 28 + 28);
  assert.equal(b.float32('empty', 0).length, 0);
  for (const bad of [-1, 1.5, NaN]) {
    assert.throws(() => b.float32('out', bad), (e: unknown) => e instanceof DetsegInputError && /^length: must be an integer ≥ 0/.test(e.message));
  }
});

test('RoiBuffers feed roiPool and roiAlign: the same results as new arrays, call after call of changing sizes', () => {
  const random = mulberry32(5);
  const shape = [2, 9, 8, 30];
  const features = Float32Array.from({ length: 2 * 9 * 8 * 30 }, () => random() * 2 - 1);
  const b = new RoiBuffers();
  const poolOptions = { outHeight: 3, outWidth: 3, spatialScale: 0.5 };
  const alignOptions = { ...poolOptions, samplingRatio: 2, aligned: true };
  // Sizes go up and down, so later calls write into buffers that hold an earlier, larger result.
  for (const count of [12, 30, 4, 30, 17]) {
    const rois = randomRois(random, 2, 18, 16, 0.5, count);
    const length = count * 3 * 3 * 30;
    const fresh = roiPool(features, shape, rois, poolOptions);
    const out = { output: b.float32('pool', length), argmax: b.int32('pool', length) };
    assert.equal(roiPool(features, shape, rois, poolOptions, out), out);
    assert.deepEqual(out, fresh, `roiPool, ${count} RoIs`);
    const aligned = roiAlign(features, shape, rois, alignOptions);
    assert.deepEqual(roiAlign(features, shape, rois, alignOptions, b.float32('align', length)), aligned, `roiAlign, ${count} RoIs`);
  }
});
