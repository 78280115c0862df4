import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simdKernels } from '../../src/ops/simd-kernels.js';
import { mulberry32 } from '../../src/util/random.js';

/**
 * Each kernel against a plain loop over the same memory: random tap lists, channel ranges that start
 * and end on every 4/16 boundary the callers use.
 */
test('SIMD kernels exist on this Node and agree with plain loops', () => {
  const k = simdKernels();
  assert.ok(k, 'WebAssembly SIMD must be available on Node ≥ 20');
  const random = mulberry32(3);
  const C = 40; // channels per cell
  const cellsInMap = 30;
  k.reserve(1 << 20);
  const f32 = new Float32Array(k.memory.buffer);
  const i32 = new Int32Array(k.memory.buffer);
  const feat = 0, out = 8192, arg = 16384, list = 24576; // byte addresses
  for (let i = 0; i < cellsInMap * C; i++) f32[(feat >> 2) + i] = random() * 2 - 1;
  for (const taps of [0, 1, 3, 7]) {
    // Distinct cells in increasing order, as the argmax kernel requires.
    const cells = Array.from({ length: cellsInMap }, (_, i) => i * C).filter(() => random() < 0.3).slice(0, taps);
    while (cells.length < taps) cells.push((cellsInMap - taps + cells.length) * C);
    cells.sort((a, b) => a - b);
    const weights = Array.from({ length: taps }, () => random());
    cells.forEach((c, t) => { i32[(list >> 2) + 2 * t] = feat + 4 * c; f32[(list >> 2) + 2 * t + 1] = weights[t]; });
    // gather: 16 channels at a time over [0, 32), then 4 at a time over [32, 40).
    assert.equal(k.gather16(out, list, taps, 0, 4 * C), 4 * 32);
    assert.equal(k.gather4(out, list, taps, 4 * 32, 4 * C), 4 * C);
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let t = 0; t < taps; t++) s += Math.fround(weights[t]) * f32[(feat >> 2) + cells[t] + c];
      assert.ok(Math.abs(f32[(out >> 2) + c] - s) < 1e-5, `gather taps ${taps} channel ${c}`);
    }
    // max with argmax over the same cells (element indices this time).
    cells.forEach((c, t) => { i32[(list >> 2) + t] = c; });
    // 24 channels at a time over [0, 24), then 4 at a time over [24, 40).
    assert.equal(k.argmax24(out, arg, list, taps, feat, 0, C), 24);
    assert.equal(k.argmax4(out, arg, list, taps, feat, 24, C), C);
    for (let c = 0; c < C; c++) {
      let best = -3.4028234663852886e38, at = -1;
      for (let t = 0; t < taps; t++) if (f32[(feat >> 2) + cells[t] + c] > best) { best = f32[(feat >> 2) + cells[t] + c]; at = cells[t] + c; }
      assert.equal(f32[(out >> 2) + c], Math.fround(best), `max taps ${taps} channel ${c}`);
      assert.equal(i32[(arg >> 2) + c], at, `argmax taps ${taps} channel ${c}`);
    }
    f32.fill(0, out >> 2, (out >> 2) + C);
    assert.equal(k.max4(out, list, taps, feat, k.max24(out, list, taps, feat, 0, C), C), C);
    for (let c = 0; c < C; c++) {
      let best = -3.4028234663852886e38;
      for (let t = 0; t < taps; t++) best = Math.max(best, f32[(feat >> 2) + cells[t] + c]);
      assert.equal(f32[(out >> 2) + c], Math.fround(best), `max (no argmax) taps ${taps} channel ${c}`);
    }
  }
  // scatter: gradIn[cell + c] += w · g[c], with a repeated cell to check accumulation.
  const cells = [2 * C, 5 * C, 2 * C];
  const weights = [0.5, 0.25, 2];
  const gradIn = 32768, gradOut = 49152;
  f32.fill(0, gradIn >> 2, (gradIn >> 2) + cellsInMap * C);
  for (let c = 0; c < C; c++) f32[(gradOut >> 2) + c] = c - 7;
  cells.forEach((c, t) => { i32[(list >> 2) + 2 * t] = gradIn + 4 * c; f32[(list >> 2) + 2 * t + 1] = weights[t]; });
  assert.equal(k.scatter4(gradOut, list, 3, k.scatter16(gradOut, list, 3, 0, 4 * C), 4 * C), 4 * C);
  for (let c = 0; c < C; c++) {
    assert.equal(f32[(gradIn >> 2) + 2 * C + c], (0.5 + 2) * (c - 7));
    assert.equal(f32[(gradIn >> 2) + 5 * C + c], 0.25 * (c - 7));
    assert.equal(f32[(gradIn >> 2) + 3 * C + c], 0);
  }
});
