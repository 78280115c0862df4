import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roiPool, roiPoolBackward, roiPoolOutput, roiPoolWithArgmax } from '../../src/roi/pool.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32, shuffleInPlace } from '../../src/util/random.js';
import { checkFiniteDifferences } from '../ops/gradient-check.js';
import { randomRois } from './random-rois.js';

const fr = Math.fround;
/** C's round(): halves away from zero. */
const cRound = (v: number) => Math.sign(v) * Math.floor(Math.abs(v) + 0.5);

/**
 * torchvision's roi_pool, one output element at a time, straight from its CPU kernel (coordinates in
 * float32): round the scaled corners, size ≥ 1, bin = [floor(p·size/out), ceil((p+1)·size/out)) + start
 * clamped to the map, max over the bin starting from −FLT_MAX, 0 for an empty bin.
 */
function naiveRoiPool(features: Float32Array, [B, H, W, C]: number[], rois: Float32Array, outH: number, outW: number, scale: number): { out: number[]; arg: number[] } {
  void B;
  const out: number[] = [];
  const arg: number[] = [];
  const s = fr(scale);
  for (let r = 0; r < rois.length / 5; r++) {
    const b = rois[5 * r];
    const sx = cRound(fr(rois[5 * r + 1] * s)), sy = cRound(fr(rois[5 * r + 2] * s));
    const ex = cRound(fr(rois[5 * r + 3] * s)), ey = cRound(fr(rois[5 * r + 4] * s));
    const binH = fr(Math.max(ey - sy + 1, 1) / outH), binW = fr(Math.max(ex - sx + 1, 1) / outW);
    for (let ph = 0; ph < outH; ph++) {
      for (let pw = 0; pw < outW; pw++) {
        for (let c = 0; c < C; c++) {
          const clampH = (v: number) => Math.min(Math.max(v, 0), H);
          const clampW = (v: number) => Math.min(Math.max(v, 0), W);
          const h0 = clampH(Math.floor(fr(ph * binH)) + sy), h1 = clampH(Math.ceil(fr((ph + 1) * binH)) + sy);
          const w0 = clampW(Math.floor(fr(pw * binW)) + sx), w1 = clampW(Math.ceil(fr((pw + 1) * binW)) + sx);
          const empty = h1 <= h0 || w1 <= w0;
          let best = empty ? 0 : -3.4028234663852886e38;
          let bestIdx = -1;
          for (let y = h0; y < h1; y++) {
            for (let x = w0; x < w1; x++) {
              const idx = ((b * H + y) * W + x) * C + c;
              if (features[idx] > best) {
                best = features[idx];
                bestIdx = idx;
              }
            }
          }
          out.push(best);
          arg.push(bestIdx);
        }
      }
    }
  }
  return { out, arg };
}

/** A 4×4 map with two channels: channel 0 holds v = 4y + x (0..15), channel 1 holds 100 − v. */
function ramp4x4(): Float32Array {
  const f = new Float32Array(4 * 4 * 2);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
    f[(y * 4 + x) * 2] = 4 * y + x;
    f[(y * 4 + x) * 2 + 1] = 100 - (4 * y + x);
  }
  return f;
}

test('roiPool: hand-worked 4×4 examples (whole map, overlapping bins, rounding, empty bins)', () => {
  const f = ramp4x4();
  // RoI (0,0)–(3,3), scale 1: cells 0..3, size 4, bins of 2 cells. Channel 0 (v = 4y+x) peaks at the
  // bottom-right cell of each bin: v(1,1)=5, v(1,3)=7, v(3,1)=13, v(3,3)=15; channel 1 (100 − v) at the
  // top-left: 100, 98, 92, 90.
  let r = roiPoolWithArgmax(f, [1, 4, 4, 2], Float32Array.from([0, 0, 0, 3, 3]), { outHeight: 2, outWidth: 2, spatialScale: 1 });
  assert.deepEqual(Array.from(r.output), [5, 100, 7, 98, 13, 92, 15, 90]);
  // argmax of channel 0, bin (0,0): cell (1,1) → flat ((1·4 + 1)·2 + 0) = 10; channel 1: cell (0,0) → 1.
  assert.deepEqual(Array.from(r.argmax.subarray(0, 2)), [10, 1]);

  // RoI (1,0)–(3,2): columns 1..3 and rows 0..2 (size 3), bins of 1.5 → rows [0,2) and [1,3), columns
  // [1,3) and [2,4): the bins overlap. Channel 0 maxima: v(1,2)=6, v(1,3)=7, v(2,2)=10, v(2,3)=11.
  r = roiPoolWithArgmax(f, [1, 4, 4, 2], Float32Array.from([0, 1, 0, 3, 2]), { outHeight: 2, outWidth: 2, spatialScale: 1 });
  assert.deepEqual(Array.from(r.output).filter((_, i) => i % 2 === 0), [6, 7, 10, 11]);

  // RoI (−1,−1)–(1,1) at scale 0.5: corners −0.5 and 0.5 round away from zero to −1 and 1 (JavaScript's
  // Math.round would give 0 and 1); size 3, 3×3 bins of one cell at −1, 0, 1. Row −1 and column −1 lie
  // outside the map: those bins are empty and give 0. The others read v(0,0)=0, v(0,1)=1, v(1,0)=4, v(1,1)=5.
  r = roiPoolWithArgmax(f, [1, 4, 4, 2], Float32Array.from([0, -1, -1, 1, 1]), { outHeight: 3, outWidth: 3, spatialScale: 0.5 });
  assert.deepEqual(Array.from(r.output).filter((_, i) => i % 2 === 0), [0, 0, 0, 0, 0, 1, 0, 4, 5]);
  assert.deepEqual(Array.from(r.argmax).filter((_, i) => i % 2 === 0), [-1, -1, -1, -1, 0, 2, -1, 8, 10]);

  // A reversed RoI (x2 < x1) is forced to one cell: (3,3)–(1,1) reads cell (3,3) only: 15 and 85.
  r = roiPoolWithArgmax(f, [1, 4, 4, 2], Float32Array.from([0, 3, 3, 1, 1]), { outHeight: 1, outWidth: 1, spatialScale: 1 });
  assert.deepEqual(Array.from(r.output), [15, 85]);
});

for (const implementation of ['simd', 'scalar'] as const) {
test(`roiPool (${implementation}) matches the naive per-element loop on random maps and RoIs (edges included)`, () => {
  const random = mulberry32(42);
  // Channel counts cover the SIMD paths: 24 at a time, 4 at a time, and the scalar rest.
  for (const [B, H, W, C] of [[1, 6, 7, 3], [2, 9, 11, 5], [3, 13, 8, 4], [2, 7, 9, 23], [1, 8, 6, 32], [1, 5, 6, 50]]) {
    const features = Float32Array.from({ length: B * H * W * C }, () => random() * 2 - 1);
    for (const [scale, outH, outW] of [[1, 2, 2], [0.5, 3, 4], [0.25, 7, 7], [1 / 3, 5, 3]]) {
      const rois = randomRois(random, B, H / scale, W / scale, scale, 40);
      const opts = { outHeight: outH, outWidth: outW, spatialScale: scale, implementation };
      const fast = roiPoolWithArgmax(features, [B, H, W, C], rois, opts);
      const ref = naiveRoiPool(features, [B, H, W, C], rois, outH, outW, scale);
      assert.deepEqual(Array.from(fast.output), ref.out.map(fr), `shape ${[B, H, W, C]} scale ${scale}`);
      assert.deepEqual(Array.from(fast.argmax), ref.arg);
      assert.deepEqual(Array.from(roiPoolOutput(features, [B, H, W, C], rois, opts)), ref.out.map(fr), 'without argmax');
      assert.deepEqual(roiPool(features, [B, H, W, C], rois, opts), fast, 'roiPool is roiPoolWithArgmax');
    }
  }
});
}

test('roiPool: outputs larger than the SIMD staging region (65,536 elements) match the naive loop, new or into a buffer', () => {
  const random = mulberry32(99);
  // 60 RoIs × 7 × 7 bins × 72 channels = 211,680 elements: four staging regions, a bin straddling
  // each boundary. Then bins of 70,001 channels, each wider than a region (the region grows to one bin).
  const cases = [{ shape: [2, 12, 10, 72], count: 60, out: 7 }, { shape: [1, 2, 3, 70001], count: 3, out: 1 }];
  for (const { shape, count, out } of cases) {
    const [B, H, W, C] = shape;
    const features = Float32Array.from({ length: B * H * W * C }, () => random() * 2 - 1);
    const rois = randomRois(random, B, H, W, 1, count);
    const ref = naiveRoiPool(features, shape, rois, out, out, 1);
    const opts = { outHeight: out, outWidth: out, spatialScale: 1 };
    const fresh = roiPoolWithArgmax(features, shape, rois, opts);
    assert.deepEqual(Array.from(fresh.output), ref.out.map(fr), `${shape}: output`);
    assert.deepEqual(Array.from(fresh.argmax), ref.arg, `${shape}: argmax`);
    const into = { output: new Float32Array(ref.out.length).fill(NaN), argmax: new Int32Array(ref.out.length).fill(7) };
    roiPoolWithArgmax(features, shape, rois, opts, into);
    assert.deepEqual(into, fresh, `${shape}: into a buffer`);
    assert.deepEqual(roiPoolOutput(features, shape, rois, opts), fresh.output, `${shape}: without argmax`);
  }
});

test('roiPool: ties keep the first cell in scan order, NaN never wins, an all-NaN bin gives −FLT_MAX (torchvision)', () => {
  for (const implementation of ['simd', 'scalar'] as const) {
    // 2×2 map, 5 channels (4 through SIMD, 1 scalar): channel 0 all equal, channel 1 NaN at the
    // first cell, channel 2 all NaN, channel 3 NaN at the last cell, channel 4 increasing.
    const [nan, one] = [NaN, 1];
    const f = Float32Array.from([
      7, nan, nan, 1, 0, // cell (0,0)
      7, 2, nan, 5, 1, // cell (0,1)
      7, 3, nan, 2, 2, // cell (1,0)
      7, one, nan, nan, 3, // cell (1,1)
    ]);
    const r = roiPoolWithArgmax(f, [1, 2, 2, 5], Float32Array.from([0, 0, 0, 1, 1]), { outHeight: 1, outWidth: 1, spatialScale: 1, implementation });
    assert.deepEqual(Array.from(r.output), [7, 3, -3.4028234663852886e38, 5, 3], implementation);
    // Flat indices ((y·2 + x)·5 + c): ch0 first cell → 0; ch1 cell (1,0) → 11; ch2 none → −1; ch3 cell (0,1) → 8; ch4 cell (1,1) → 19.
    assert.deepEqual(Array.from(r.argmax), [0, 11, -1, 8, 19], implementation);
    assert.deepEqual(Array.from(roiPoolOutput(f, [1, 2, 2, 5], Float32Array.from([0, 0, 0, 1, 1]), { outHeight: 1, outWidth: 1, spatialScale: 1, implementation })), [7, 3, -3.4028234663852886e38, 5, 3]);
  }
});

test('roiPoolBackward matches finite differences of the pooled sum', () => {
  const random = mulberry32(7);
  const [B, H, W, C] = [2, 5, 6, 7];
  const n = B * H * W * C;
  // Distinct values 0.01 apart, so a step of 1e-3 never changes which cell is the maximum.
  const order = shuffleInPlace(Array.from({ length: n }, (_, i) => i), random);
  const features = Float32Array.from(order, (v) => v * 0.01 - 1);
  const rois = Float32Array.from([0, 0, 0, 5, 4, 1, 2, 1, 11, 9, 1, -3, -3, 4, 4, 0, 6, 6, 7, 7]);
  const opts = { outHeight: 3, outWidth: 2, spatialScale: 0.5 };
  const { output, argmax } = roiPoolWithArgmax(features, [B, H, W, C], rois, opts);
  const g = Float32Array.from({ length: output.length }, () => random() * 2 - 1);
  const loss = (f: Float32Array) => {
    const o = roiPoolWithArgmax(f, [B, H, W, C], rois, opts).output;
    let s = 0;
    for (let i = 0; i < o.length; i++) s += o[i] * g[i];
    return s;
  };
  const grad = roiPoolBackward(g, argmax, [B, H, W, C]);
  const nonzero = checkFiniteDifferences(features, loss, grad, 1e-3, 1e-3, 'roiPoolBackward');
  assert.ok(nonzero > 10, `the check must exercise real gradients (${nonzero} non-zero)`);
});

test('roiPool and roiPoolOutput write into a caller\'s buffers, overwriting what they held', () => {
  const random = mulberry32(13);
  const shape = [2, 9, 8, 21];
  const features = Float32Array.from({ length: 2 * 9 * 8 * 21 }, () => random() * 2 - 1);
  const rois = randomRois(random, 2, 9, 8, 1, 10);
  for (const implementation of ['simd', 'scalar'] as const) {
    const o = { outHeight: 3, outWidth: 2, spatialScale: 1, implementation };
    const fresh = roiPoolWithArgmax(features, shape, rois, o);
    const out = { output: new Float32Array(fresh.output.length).fill(NaN), argmax: new Int32Array(fresh.argmax.length).fill(5) };
    assert.equal(roiPoolWithArgmax(features, shape, rois, o, out), out);
    assert.deepEqual(out, fresh, implementation);
    const values = new Float32Array(fresh.output.length).fill(9);
    assert.equal(roiPoolOutput(features, shape, rois, o, values), values);
    assert.deepEqual(values, fresh.output, implementation);
  }
});

test('roiPool on an empty map (height 0) gives zeros and argmax −1', () => {
  for (const implementation of ['simd', 'scalar'] as const) {
    const r = roiPoolWithArgmax(new Float32Array(0), [1, 0, 4, 3], Float32Array.from([0, 0, 0, 3, 3]), { outHeight: 2, outWidth: 2, spatialScale: 1, implementation });
    assert.deepEqual(Array.from(r.output), new Array(12).fill(0));
    assert.deepEqual(Array.from(r.argmax), new Array(12).fill(-1));
  }
});

test('roiPool rejects bad input with DetsegInputError naming the field', () => {
  const f = ramp4x4();
  const opts = { outHeight: 2, outWidth: 2, spatialScale: 1 };
  const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof DetsegInputError && re.test(e.message));
  bad(() => roiPool(f, [1, 4, 4, 2], Float32Array.from([0, 0, NaN, 3, 3]), opts), /^rois: RoI 0 has a non-finite value/);
  bad(() => roiPool(f, [1, 4, 4, 2], Float32Array.from([0, 0, 0, 3, 3, 1, 0, 0, 3, 3]), opts), /^rois: RoI 1 has batch index 1, expected an integer in \[0, 1\)/);
  bad(() => roiPool(f, [1, 4, 4, 2], Float32Array.from([0.5, 0, 0, 3, 3]), opts), /batch index 0.5/);
  bad(() => roiPool(f, [1, 4, 4, 2], Float32Array.from([0, 0, 0, 3]), opts), /^rois: expected 5 numbers per RoI/);
  bad(() => roiPool(f, [1, 4, 4, 3], Float32Array.from([0, 0, 0, 3, 3]), opts), /^features: expected 48 elements/);
  bad(() => roiPool(f, [1, 4, 4, 2], Float32Array.from([0, 0, 0, 3, 3]), { ...opts, outHeight: 0 }), /^outHeight/);
  bad(() => roiPool(f, [1, 4, 4, 2], Float32Array.from([0, 0, 0, 3, 3]), { ...opts, spatialScale: NaN }), /^spatialScale/);
  bad(() => roiPoolBackward(new Float32Array(3), new Int32Array(4), [1, 4, 4, 2]), /^gradOutput/);
  bad(() => roiPoolOutput(f, [1, 4, 4, 2], Float32Array.from([0, 0, 0, 3, 3]), opts, new Float32Array(7)), /^out.output: expected a buffer of 8 elements, got 7/);
  bad(() => roiPoolWithArgmax(f, [1, 4, 4, 2], Float32Array.from([0, 0, 0, 3, 3]), opts, { output: new Float32Array(8), argmax: new Int32Array(2) }), /^out.argmax: expected a buffer of 8 elements/);
});
