import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoxCoder, DEFAULT_SCALE_CLAMP } from '../../src/boxes/coder.js';
import { randomBoxes } from '../../src/boxes/random.js';
import { DetsegInputError } from '../../src/util/errors.js';

test('encode: hand-worked example with weights (1,1,1,1) and (10,10,5,5)', () => {
  // p: centre (15, 20), size 10×20; g: centre (20, 10), size 20×10
  const p = new Float64Array([10, 10, 20, 30]);
  const g = new Float64Array([10, 5, 30, 15]);
  const t = new BoxCoder().encode(p, g);
  const expected = [0.5, -0.5, Math.log(2), Math.log(0.5)];
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(t[k] - expected[k]) < 1e-6);
  const tw = new BoxCoder({ weights: [10, 10, 5, 5] }).encode(p, g);
  const weighted = [5, -5, 5 * Math.log(2), 5 * Math.log(0.5)];
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(tw[k] - weighted[k]) < 1e-5);
});

test('decode follows the lecture formulas b_x = p_x + p_w t_x, b_w = p_w e^{t_w}', () => {
  const p = new Float32Array([0, 0, 40, 20]); // centre (20, 10), size 40×20
  const t = [0.25, -0.5, Math.log(1.5), 0];
  const b = new BoxCoder().decode(t, p);
  // b_x = 20 + 40·0.25 = 30, b_y = 10 − 20·0.5 = 0, b_w = 60, b_h = 20
  assert.deepEqual(Array.from(b), [0, -10, 60, 10]);
});

test('round-trip law decode(encode(p, g), p) = g on random boxes, for both weight settings', () => {
  // sizes in [8, 300): every size ratio is below 62.5, so the clamp is never reached
  const p = randomBoxes(2000, 21, { minSize: 8, maxSize: 300 });
  const g = randomBoxes(2000, 22, { minSize: 8, maxSize: 300 });
  for (const weights of [[1, 1, 1, 1], [10, 10, 5, 5]] as [number, number, number, number][]) {
    const coder = new BoxCoder({ weights });
    const back = coder.decode(coder.encode(p, g), p);
    for (let k = 0; k < g.length; k++) assert.ok(Math.abs(back[k] - g[k]) < 1e-3 * Math.max(1, Math.abs(g[k])), `coordinate ${k}: ${back[k]} vs ${g[k]}`);
  }
});

test('decode clamps t_w, t_h at log(1000/16): a box grows at most 62.5×', () => {
  assert.ok(Math.abs(DEFAULT_SCALE_CLAMP - Math.log(62.5)) < 1e-15);
  const p = new Float32Array([0, 0, 16, 16]);
  const b = new BoxCoder().decode([0, 0, 50, 1000], p); // e^50 would be 5e21
  assert.ok(Math.abs(b[2] - b[0] - 1000) < 1e-3 && Math.abs(b[3] - b[1] - 1000) < 1e-3);
  const unclamped = new BoxCoder({ scaleClamp: Infinity }).decode([0, 0, 5, 0], p);
  assert.ok(Math.abs(unclamped[2] - unclamped[0] - 16 * Math.exp(5)) < 1e-2);
});

test('BoxCoder: empty input, bad input', () => {
  const coder = new BoxCoder();
  assert.equal(coder.encode(new Float32Array(0), new Float32Array(0)).length, 0);
  assert.equal(coder.decode([], new Float32Array(0)).length, 0);
  assert.throws(() => coder.encode(new Float32Array([0, 0, 1, 1]), new Float32Array(0)), (e) => e instanceof DetsegInputError && /gt: has 0 boxes/.test(e.message));
  assert.throws(() => coder.encode(new Float32Array([0, 0, 0, 1]), new Float32Array([0, 0, 1, 1])), (e) => e instanceof DetsegInputError && /reference: box 0 has zero width/.test(e.message));
  assert.throws(() => coder.decode([0, 0, NaN, 0], new Float32Array([0, 0, 1, 1])), (e) => e instanceof DetsegInputError && /deltas: delta 0 has a non-finite/.test(e.message));
  assert.throws(() => coder.decode([0, 0, Infinity, 0], new Float32Array([0, 0, 1, 1])), (e) => e instanceof DetsegInputError && /deltas: delta 0 has a non-finite/.test(e.message));
  assert.throws(() => coder.decode([0, 0, 0], new Float32Array([0, 0, 1, 1])), (e) => e instanceof DetsegInputError && /deltas: expected 4/.test(e.message));
  assert.throws(() => new BoxCoder({ weights: [1, 1, 0, 1] }), (e) => e instanceof DetsegInputError && /weights/.test(e.message));
});
