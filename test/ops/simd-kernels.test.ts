import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simdKernels } from '../../src/ops/simd-kernels.js';
import { mulberry32 } from '../../src/util/random.js';

const LOWEST = -3.4028234663852886e38;
const SENTINEL = 12345;

/**
 * Each kernel against a plain loop over the same memory: random tap lists, channel counts whose
 * ranges take every step (24/16/4 channels for max and argmax, 16/4 for gather and scatter) and leave
 * a rest of C mod 4 channels, which the kernels must not touch.
 */
test('SIMD kernels exist on this Node and agree with plain loops', () => {
  const k = simdKernels();
  assert.ok(k, 'WebAssembly SIMD must be available on Node ≥ 20');
  const random = mulberry32(3);
  const cellsInMap = 30;
  k.reserve(1 << 20);
  const f32 = new Float32Array(k.memory.buffer);
  const i32 = new Int32Array(k.memory.buffer);
  const feat = 0, out = 16384, arg = 24576, list = 32768; // byte addresses
  // C = 46: 24 + 16 + 4 channels, 2 left; C = 40: 24 + 16; C = 7: 4, 3 left; C = 20: 16 + 4 (gather) / 16 + 4 (max).
  for (const C of [46, 40, 7, 20]) {
    const done = C - (C % 4);
    for (let i = 0; i < cellsInMap * C; i++) f32[(feat >> 2) + i] = random() * 2 - 1;
    for (const taps of [0, 1, 3, 7]) {
      // Distinct cells in increasing order, as the argmax kernel requires.
      const cells = Array.from({ length: cellsInMap }, (_, i) => i * C).filter(() => random() < 0.3).slice(0, taps);
      while (cells.length < taps) cells.push((cellsInMap - taps + cells.length) * C);
      cells.sort((a, b) => a - b);
      const weights = Array.from({ length: taps }, () => random());
      const what = `C ${C} taps ${taps}`;
      cells.forEach((c, t) => { i32[(list >> 2) + 2 * t] = feat + 4 * c; f32[(list >> 2) + 2 * t + 1] = weights[t]; });
      f32.fill(SENTINEL, out >> 2, (out >> 2) + C);
      assert.equal(k.gather(out, list, taps, 0, 4 * C), 4 * done, what);
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let t = 0; t < taps; t++) s += Math.fround(weights[t]) * f32[(feat >> 2) + cells[t] + c];
        if (c < done) assert.ok(Math.abs(f32[(out >> 2) + c] - s) < 1e-5, `gather ${what} channel ${c}`);
        else assert.equal(f32[(out >> 2) + c], SENTINEL, `gather ${what} leaves channel ${c}`);
      }
      // max with argmax over the same cells (element indices this time).
      cells.forEach((c, t) => { i32[(list >> 2) + t] = c; });
      f32.fill(SENTINEL, out >> 2, (out >> 2) + C);
      i32.fill(SENTINEL, arg >> 2, (arg >> 2) + C);
      assert.equal(k.argmax(out, arg, list, taps, feat, 0, C), done, what);
      for (let c = 0; c < C; c++) {
        let best = LOWEST, at = -1;
        for (let t = 0; t < taps; t++) if (f32[(feat >> 2) + cells[t] + c] > best) { best = f32[(feat >> 2) + cells[t] + c]; at = cells[t] + c; }
        assert.equal(f32[(out >> 2) + c], c < done ? Math.fround(best) : SENTINEL, `max ${what} channel ${c}`);
        assert.equal(i32[(arg >> 2) + c], c < done ? at : SENTINEL, `argmax ${what} channel ${c}`);
      }
      f32.fill(SENTINEL, out >> 2, (out >> 2) + C);
      assert.equal(k.max(out, list, taps, feat, 0, C), done, what);
      for (let c = 0; c < C; c++) {
        let best = LOWEST;
        for (let t = 0; t < taps; t++) best = Math.max(best, f32[(feat >> 2) + cells[t] + c]);
        assert.equal(f32[(out >> 2) + c], c < done ? Math.fround(best) : SENTINEL, `max (no argmax) ${what} channel ${c}`);
      }
    }
  }
  // A range that starts past 0: channels [4, 46) of a 46-channel cell → 24 + 16, 2 left.
  f32.fill(SENTINEL, out >> 2, (out >> 2) + 46);
  i32.set([0, 46], list >> 2);
  assert.equal(k.argmax(out, arg, list, 2, feat, 4, 46), 44);
  for (let c = 0; c < 46; c++) {
    const [a, b] = [f32[(feat >> 2) + c], f32[(feat >> 2) + 46 + c]];
    assert.equal(f32[(out >> 2) + c], c >= 4 && c < 44 ? Math.max(a, b) : SENTINEL, `offset range channel ${c}`);
    if (c >= 4 && c < 44) assert.equal(i32[(arg >> 2) + c], b > a ? 46 + c : c);
  }
  // scatter: gradIn[cell + c] += w · g[c], with a repeated cell to check accumulation.
  const C = 40;
  const cells = [2 * C, 5 * C, 2 * C];
  const weights = [0.5, 0.25, 2];
  const gradIn = 65536, gradOut = 131072;
  f32.fill(0, gradIn >> 2, (gradIn >> 2) + cellsInMap * C);
  for (let c = 0; c < C; c++) f32[(gradOut >> 2) + c] = c - 7;
  cells.forEach((c, t) => { i32[(list >> 2) + 2 * t] = gradIn + 4 * c; f32[(list >> 2) + 2 * t + 1] = weights[t]; });
  assert.equal(k.scatter(gradOut, list, 3, 0, 4 * C), 4 * C);
  for (let c = 0; c < C; c++) {
    assert.equal(f32[(gradIn >> 2) + 2 * C + c], (0.5 + 2) * (c - 7));
    assert.equal(f32[(gradIn >> 2) + 5 * C + c], 0.25 * (c - 7));
    assert.equal(f32[(gradIn >> 2) + 3 * C + c], 0);
  }
});
