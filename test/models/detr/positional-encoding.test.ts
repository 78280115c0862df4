import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sinePointEncoding, sinePointEncodingLinear, sinePositionalEncoding } from '../../../src/models/detr/positional-encoding.js';

test('sine positional encoding of a 2×2 map, d = 8, by hand', () => {
  // Positions 1, 2 of 2 → e = π, 2π. F = 4 channels per axis; frequencies T^(2⌊k/2⌋/4) = 1, 1, 100, 100.
  // Per axis: [sin e, cos e, sin(e/100), cos(e/100)]:
  //   e = π:  [0, −1, 0.0314108, 0.9995066]     e = 2π: [0, 1, 0.0627905, 0.9980267]
  const atPi = [0, -1, 0.0314108, 0.9995066];
  const at2Pi = [0, 1, 0.0627905, 0.9980267];
  const expected = [
    [...atPi, ...atPi], // (row 0, col 0): row half, then column half
    [...atPi, ...at2Pi], // (0, 1)
    [...at2Pi, ...atPi], // (1, 0)
    [...at2Pi, ...at2Pi], // (1, 1)
  ].flat();
  const pe = sinePositionalEncoding(2, 2, 8);
  assert.equal(pe.length, 32);
  expected.forEach((v, k) => assert.ok(Math.abs(pe[k] - v) < 2e-5, `pe[${k}] = ${pe[k]}, expected ${v}`));
});

test('sine positional encoding: rectangular maps use each axis length, and d must be a multiple of 4', () => {
  const pe = sinePositionalEncoding(1, 4, 4); // one row (e_y = 2π), columns e_x = π/2, π, 3π/2, 2π
  const ex = [Math.PI / 2, Math.PI, (3 * Math.PI) / 2, 2 * Math.PI];
  ex.forEach((e, j) => {
    const want = [Math.sin(2 * Math.PI), Math.cos(2 * Math.PI), Math.sin(e), Math.cos(e)];
    want.forEach((v, k) => assert.ok(Math.abs(pe[4 * j + k] - v) < 2e-5, `column ${j} channel ${k}: ${pe[4 * j + k]} vs ${v}`));
  });
  assert.throws(() => sinePositionalEncoding(2, 2, 6), RangeError);
});

test('sine point encoding: at the points ((j + 1) / (w + ε), (i + 1) / (h + ε)) it is the map encoding of cell (i, j)', () => {
  const [h, w, d] = [3, 5, 8];
  const grid = sinePositionalEncoding(h, w, d);
  const points = new Float32Array(2 * h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) points.set([(j + 1) / (w + 1e-6), (i + 1) / (h + 1e-6)], 2 * (i * w + j));
  const at = sinePointEncoding(points, d);
  for (let k = 0; k < grid.length; k++) assert.ok(Math.abs(at[k] - grid[k]) < 1e-5, `value ${k}: ${at[k]} vs ${grid[k]}`);
  assert.throws(() => sinePointEncoding(points, 6), RangeError);
});

test('sine point encoding as sin(points · F + φ): the same values at random points, for d = 8 and 64', () => {
  for (const d of [8, 64]) {
    const points = Float32Array.from({ length: 2 * 9 }, (_, i) => ((i * 0.6180339) % 1));
    const want = sinePointEncoding(points, d);
    const { frequencies, phases } = sinePointEncodingLinear(d);
    for (let q = 0; q < 9; q++) {
      for (let c = 0; c < d; c++) {
        const got = Math.sin(points[2 * q] * frequencies[c] + points[2 * q + 1] * frequencies[d + c] + phases[c]);
        assert.ok(Math.abs(got - want[q * d + c]) < 1e-5, `d ${d} point ${q} channel ${c}: ${got} vs ${want[q * d + c]}`);
      }
    }
  }
});
