import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maxPoolWithSwitches, maxUnpool, maxUnpoolBackward } from '../../src/ops/max-unpool.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';

// The lecture's max-unpooling example, worked by hand: a 4×4 map pooled 2×2/2 remembers where each
// maximum was; unpooling [[1, 2], [3, 4]] puts each value back there.
const LECTURE_INPUT = Float32Array.of(1, 2, 6, 3, 3, 5, 2, 1, 1, 2, 2, 1, 7, 3, 4, 8);

test('maxPoolWithSwitches / maxUnpool on the lecture example (hand-worked)', () => {
  const pooled = maxPoolWithSwitches(LECTURE_INPUT, [1, 4, 4, 1], 2);
  assert.deepEqual(Array.from(pooled.output), [5, 6, 7, 8]);
  assert.deepEqual(Array.from(pooled.switches), [5, 2, 12, 15]); // (1,1), (0,2), (3,0), (3,3)
  assert.deepEqual(pooled.shape, [1, 2, 2, 1]);
  const unpooled = maxUnpool(Float32Array.of(1, 2, 3, 4), pooled.switches, [1, 4, 4, 1]);
  assert.deepEqual(Array.from(unpooled), [0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0, 0, 4]);
});

/** Naive reference: every output cell scans its window by (row, column) and keeps the first strict maximum. */
function naivePool(x: Float32Array, [b, h, w, c]: number[], size: number) {
  const oh = Math.floor(h / size), ow = Math.floor(w / size);
  const output: number[] = [], switches: number[] = [];
  for (let n = 0; n < b; n++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let ch = 0; ch < c; ch++) {
    let best = -Infinity, at = -1;
    for (let i = y * size; i < y * size + size; i++) for (let j = xx * size; j < xx * size + size; j++) {
      const k = ((n * h + i) * w + j) * c + ch;
      if (x[k] > best) { best = x[k]; at = k; }
    }
    output.push(best);
    switches.push(at);
  }
  return { output, switches };
}

test('maxPoolWithSwitches equals a naive window scan (random, odd sizes, ties, sizes 2 and 3)', () => {
  const random = mulberry32(4);
  for (const [shape, size] of [[[2, 7, 9, 3], 2], [[1, 6, 7, 2], 3], [[3, 4, 4, 1], 1]] as Array<[number[], number]>) {
    const x = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => Math.round(random() * 6)); // many ties
    const got = maxPoolWithSwitches(x, shape, size);
    const want = naivePool(x, shape, size);
    assert.deepEqual(Array.from(got.output), want.output);
    assert.deepEqual(Array.from(got.switches), want.switches);
  }
});

test('a NaN in a window becomes its maximum (the first NaN), so it is not hidden', () => {
  const pooled = maxPoolWithSwitches(Float32Array.of(1, NaN, 9, NaN), [1, 2, 2, 1], 2);
  assert.ok(Number.isNaN(pooled.output[0]));
  assert.equal(pooled.switches[0], 1);
});

test('maxUnpool is the adjoint of maxUnpoolBackward: ⟨unpool(v), g⟩ = ⟨v, backward(g)⟩, repeated switches add up', () => {
  const random = mulberry32(9);
  const switches = Int32Array.of(0, 5, 5, 11, 7);
  const v = Float32Array.from({ length: 5 }, () => random() - 0.5);
  const g = Float32Array.from({ length: 12 }, () => random() - 0.5);
  const u = maxUnpool(v, switches, [1, 3, 2, 2]);
  assert.equal(u[5], v[1] + v[2]);
  const gv = maxUnpoolBackward(g, switches);
  let lhs = 0, rhs = 0;
  for (let i = 0; i < 12; i++) lhs += u[i] * g[i];
  for (let i = 0; i < 5; i++) rhs += v[i] * gv[i];
  assert.ok(Math.abs(lhs - rhs) < 1e-6, `${lhs} vs ${rhs}`);
});

test('bad input raises DetsegInputError naming the argument', () => {
  assert.throws(() => maxPoolWithSwitches(new Float32Array(5), [1, 2, 2, 1], 2), (e: Error) => e instanceof DetsegInputError && /maxPoolWithSwitches: x/.test(e.message));
  assert.throws(() => maxPoolWithSwitches(new Float32Array(4), [1, 2, 2, 1], 0), (e: Error) => e instanceof DetsegInputError && /size/.test(e.message));
  assert.throws(() => maxUnpool(new Float32Array(2), Int32Array.of(0, 9), [1, 2, 2, 1]), (e: Error) => e instanceof DetsegInputError && /switches/.test(e.message));
  assert.throws(() => maxUnpool(new Float32Array(1), Int32Array.of(0, 1), [1, 2, 2, 1]), (e: Error) => e instanceof DetsegInputError && /values/.test(e.message));
});
