import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roiAlign, roiAlignBackward, type RoiAlignOptions } from '../../src/roi/align.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';
import { assertClose } from '../ops/arrays.js';
import { checkFiniteDifferences } from '../ops/gradient-check.js';
import { randomRois } from './random-rois.js';

const fr = Math.fround;

/**
 * torchvision's roi_align, one output element at a time, straight from its CPU kernel: every sample
 * of every bin is interpolated from its four neighbours with the −1..size border rule, and the bin is
 * their mean. Sample positions are computed in float32 as the kernel does; sums in double.
 */
function naiveRoiAlign(features: Float32Array, [, H, W, C]: number[], rois: Float32Array, o: RoiAlignOptions): number[] {
  const bilinear = (b: number, y: number, x: number, c: number): number => {
    if (y < -1 || y > H || x < -1 || x > W) return 0;
    if (y <= 0) y = 0;
    if (x <= 0) x = 0;
    let yl = Math.trunc(y), xl = Math.trunc(x), yh: number, xh: number;
    if (yl >= H - 1) { yh = yl = H - 1; y = yl; } else yh = yl + 1;
    if (xl >= W - 1) { xh = xl = W - 1; x = xl; } else xh = xl + 1;
    const ly = fr(y - yl), lx = fr(x - xl), hy = fr(1 - ly), hx = fr(1 - lx);
    const at = (yy: number, xx: number) => features[((b * H + yy) * W + xx) * C + c];
    return hy * hx * at(yl, xl) + hy * lx * at(yl, xh) + ly * hx * at(yh, xl) + ly * lx * at(yh, xh);
  };
  const out: number[] = [];
  const s = fr(o.spatialScale);
  const off = o.aligned ? 0.5 : 0;
  for (let r = 0; r < rois.length / 5; r++) {
    const b = rois[5 * r];
    const sx = fr(fr(rois[5 * r + 1] * s) - off), sy = fr(fr(rois[5 * r + 2] * s) - off);
    let rw = fr(fr(fr(rois[5 * r + 3] * s) - off) - sx), rh = fr(fr(fr(rois[5 * r + 4] * s) - off) - sy);
    if (!o.aligned) { rw = Math.max(rw, 1); rh = Math.max(rh, 1); }
    const bh = fr(rh / o.outHeight), bw = fr(rw / o.outWidth);
    const gh = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(fr(rh / o.outHeight));
    const gw = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(fr(rw / o.outWidth));
    const count = Math.max(gh * gw, 1);
    for (let ph = 0; ph < o.outHeight; ph++) {
      for (let pw = 0; pw < o.outWidth; pw++) {
        for (let c = 0; c < C; c++) {
          let sum = 0;
          for (let iy = 0; iy < gh; iy++) {
            const y = fr(fr(sy + fr(ph * bh)) + fr(fr((iy + 0.5) * bh) / gh));
            for (let ix = 0; ix < gw; ix++) {
              const x = fr(fr(sx + fr(pw * bw)) + fr(fr((ix + 0.5) * bw) / gw));
              sum += bilinear(b, y, x, c);
            }
          }
          out.push(sum / count);
        }
      }
    }
  }
  return out;
}

/** A 4×4 one-channel map holding v(y, x) = 4y + x: bilinear interpolation reproduces it exactly inside. */
const RAMP = Float32Array.from({ length: 16 }, (_, i) => i);
const align1 = (roi: number[], o: Partial<RoiAlignOptions>) =>
  Array.from(roiAlign(RAMP, [1, 4, 4, 1], Float32Array.from(roi), { outHeight: 1, outWidth: 1, spatialScale: 1, samplingRatio: 2, aligned: false, ...o }));

test('roiAlign: hand-worked examples on the 4×4 ramp v = 4y + x', () => {
  // RoI (0,0)–(2,2), one bin, 2×2 samples at y, x ∈ {0.5, 1.5}: mean of 4y + x = 4·1 + 1 = 5.
  assert.deepEqual(align1([0, 0, 0, 2, 2], {}), [5]);
  // Same RoI, 2×2 bins of one sample each, at the bin centres 0.5 and 1.5: 4y + x = 2.5, 3.5, 6.5, 7.5.
  assert.deepEqual(align1([0, 0, 0, 2, 2], { outHeight: 2, outWidth: 2, samplingRatio: 1 }), [2.5, 3.5, 6.5, 7.5]);
  // aligned: the RoI shifts by −0.5 to (−0.5,−0.5)–(1.5,1.5): samples at 0 and 1 → 0, 1, 4, 5.
  assert.deepEqual(align1([0, 0, 0, 2, 2], { outHeight: 2, outWidth: 2, samplingRatio: 1, aligned: true }), [0, 1, 4, 5]);
  // aligned, RoI (0,0)–(1,1) → (−0.5,−0.5)–(0.5,0.5); samples at −0.25 and 0.25 per axis; −0.25 lies in
  // [−1, 0] and is clamped to 0: values v(0,0)=0, v(0,.25)=.25, v(.25,0)=1, v(.25,.25)=1.25 → mean 0.625.
  assert.deepEqual(align1([0, 0, 0, 1, 1], { aligned: true }), [0.625]);
  // RoI (3,0)–(4,1): x samples at 3.25 and 3.75 lie past the last column and read it (x = 3); y at 0.25,
  // 0.75: mean of 4y + 3 = 4·0.5 + 3 = 5.
  assert.deepEqual(align1([0, 3, 0, 4, 1], {}), [5]);
  // RoI (3,0)–(5,2): x samples at 3.5 (reads column 3) and 4.5 (> width 4: the sample is 0 but still
  // counts): (v(.5,3) + v(1.5,3) + 0 + 0) / 4 = (5 + 9) / 4 = 3.5.
  assert.deepEqual(align1([0, 3, 0, 5, 2], {}), [3.5]);
  // One sample exactly on the far border x = 4 = width still counts (only x > width is dropped) and reads
  // the last column: RoI (3,0)–(5,2), one sample at (1, 4) → v(1, 3) = 7.
  assert.deepEqual(align1([0, 3, 0, 5, 2], { samplingRatio: 1 }), [7]);
  // Wholly outside the map → 0.
  assert.deepEqual(align1([0, 6, 6, 9, 9], {}), [0]);
  // Not aligned, a zero-size RoI is made 1×1: (1,1)–(1,1) → samples at 1.25, 1.75: mean 4·1.5 + 1.5 = 7.5.
  assert.deepEqual(align1([0, 1, 1, 1, 1], {}), [7.5]);
  // Aligned, a zero-size RoI has no samples (adaptive grid ceil(0) = 0) → 0.
  assert.deepEqual(align1([0, 1, 1, 1, 1], { aligned: true, samplingRatio: 0 }), [0]);
  // Adaptive sampling: RoI (0,0)–(3,3) in one bin → ceil(3/1) = 3 samples per axis at 0.5, 1.5, 2.5:
  // mean 4·1.5 + 1.5 = 7.5.
  assert.deepEqual(align1([0, 0, 0, 3, 3], { samplingRatio: 0 }), [7.5]);
});

for (const implementation of ['simd', 'scalar'] as const) {
test(`roiAlign (${implementation}) matches the naive per-sample loop on random maps and RoIs (edges, batch > 0, all options)`, () => {
  const random = mulberry32(2024);
  // Channel counts cover the SIMD paths: 16 at a time, 4 at a time, and the scalar rest.
  for (const [B, H, W, C] of [[1, 5, 6, 2], [2, 9, 11, 5], [3, 8, 13, 3], [2, 7, 6, 21], [1, 6, 9, 36]]) {
    const features = Float32Array.from({ length: B * H * W * C }, () => random() * 2 - 1);
    for (const [scale, outH, outW] of [[1, 2, 2], [0.5, 3, 4], [0.25, 7, 7], [1 / 3, 5, 3]]) {
      const rois = randomRois(random, B, H / scale, W / scale, scale, 30);
      for (const samplingRatio of [0, 1, 2, 3]) {
        for (const aligned of [false, true]) {
          const o = { outHeight: outH, outWidth: outW, spatialScale: scale, samplingRatio, aligned, implementation };
          const fast = roiAlign(features, [B, H, W, C], rois, o);
          assertClose(fast, naiveRoiAlign(features, [B, H, W, C], rois, o), 1e-5, JSON.stringify({ shape: [B, H, W, C], ...o }));
        }
      }
    }
  }
});
}

for (const [implementation, C] of [['simd', 2], ['simd', 21], ['scalar', 3]] as const) {
test(`roiAlignBackward (${implementation}, ${C} channels) matches finite differences and is the transpose of roiAlign`, () => {
  const random = mulberry32(99);
  const [B, H, W] = [2, 5, 6];
  const n = B * H * W * C;
  const features = Float32Array.from({ length: n }, () => random() * 2 - 1);
  // Batch 1, partly outside, tiny, and a RoI reaching past the bottom-right border.
  const rois = Float32Array.from([0, 0.3, 0.7, 7.9, 6.1, 1, -2, -1.5, 3.3, 4.2, 1, 4.1, 3.2, 4.6, 3.9, 0, 6.5, 5.5, 14, 11]);
  for (const o of [
    { outHeight: 3, outWidth: 2, spatialScale: 0.8, samplingRatio: 2, aligned: false, implementation },
    { outHeight: 2, outWidth: 3, spatialScale: 0.8, samplingRatio: 0, aligned: true, implementation },
  ]) {
    const out = roiAlign(features, [B, H, W, C], rois, o);
    const g = Float32Array.from({ length: out.length }, () => random() * 2 - 1);
    const grad = roiAlignBackward(g, [B, H, W, C], rois, o);
    const loss = (f: Float32Array) => {
      const y = roiAlign(f, [B, H, W, C], rois, o);
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * g[i];
      return s;
    };
    // RoI Align is linear in the features: a step of 1e-2 is exact up to float32 rounding.
    const nonzero = checkFiniteDifferences(features, loss, grad, 1e-2, 1e-4, JSON.stringify(o), 1e-3);
    assert.ok(nonzero > 20, `the check must exercise real gradients (${nonzero} non-zero)`);
    // ⟨align(x), g⟩ = ⟨x, align*(g)⟩ for a fresh x.
    const x = Float32Array.from({ length: n }, () => random() * 2 - 1);
    const ax = roiAlign(x, [B, H, W, C], rois, o);
    let lhs = 0, rhs = 0;
    for (let i = 0; i < ax.length; i++) lhs += ax[i] * g[i];
    for (let i = 0; i < n; i++) rhs += x[i] * grad[i];
    assert.ok(Math.abs(lhs - rhs) < 1e-5 * (1 + Math.abs(lhs)), `adjoint: ${lhs} vs ${rhs}`);
  }
});
}

test('roiAlign: adaptive sampling with thousands of taps in one bin matches the naive loop (simd and scalar)', () => {
  // A 40×40 map pooled to 1×2 over the whole map: ceil(40/1) × ceil(40/2) = 800 samples and ~1,700
  // merged taps in each bin, far more than the kernels' initial tap list holds.
  const random = mulberry32(8);
  const shape = [2, 40, 40, 20];
  const features = Float32Array.from({ length: 2 * 40 * 40 * 20 }, () => random() * 2 - 1);
  const rois = Float32Array.from([1, 0, 0, 40, 40, 0, 3.3, 1.7, 38.2, 39.9]);
  for (const implementation of ['simd', 'scalar'] as const) {
    const o = { outHeight: 1, outWidth: 2, spatialScale: 1, samplingRatio: 0, aligned: false, implementation };
    assertClose(roiAlign(features, shape, rois, o), naiveRoiAlign(features, shape, rois, o), 1e-5, implementation);
    const g = Float32Array.from({ length: 2 * 2 * 20 }, () => random() * 2 - 1);
    // The backward pass is the transpose: ⟨align(x), g⟩ = ⟨x, align*(g)⟩.
    const grad = roiAlignBackward(g, shape, rois, o);
    const out = roiAlign(features, shape, rois, o);
    let lhs = 0, rhs = 0;
    for (let i = 0; i < out.length; i++) lhs += out[i] * g[i];
    for (let i = 0; i < features.length; i++) rhs += features[i] * grad[i];
    assert.ok(Math.abs(lhs - rhs) < 1e-5 * (1 + Math.abs(lhs)), `${implementation} adjoint: ${lhs} vs ${rhs}`);
  }
});

test('roiAlign: outputs larger than the SIMD staging region (65,536 elements) match the naive loop, new or into a buffer', () => {
  const random = mulberry32(77);
  // 50 RoIs × 7 × 7 bins × 40 channels = 98,000 elements: two staging regions with a bin straddling
  // the boundary; then bins of 70,001 channels, each wider than a region.
  const cases = [{ shape: [2, 10, 9, 40], count: 50, out: 7 }, { shape: [1, 2, 3, 70001], count: 2, out: 1 }];
  for (const { shape, count, out } of cases) {
    const [B, H, W, C] = shape;
    const features = Float32Array.from({ length: B * H * W * C }, () => random() * 2 - 1);
    const rois = randomRois(random, B, H, W, 1, count);
    const o = { outHeight: out, outWidth: out, spatialScale: 1, samplingRatio: 2, aligned: true };
    const fresh = roiAlign(features, shape, rois, o);
    assertClose(fresh, naiveRoiAlign(features, shape, rois, o), 1e-5, `${shape}`);
    const into = new Float32Array(fresh.length).fill(NaN);
    assert.equal(roiAlign(features, shape, rois, o, into), into);
    assert.deepEqual(into, fresh, `${shape}: into a buffer`);
  }
});

test('roiAlign and roiAlignBackward write into a caller\'s buffer, overwriting what it held', () => {
  const random = mulberry32(12);
  const shape = [2, 9, 8, 21];
  const features = Float32Array.from({ length: 2 * 9 * 8 * 21 }, () => random() * 2 - 1);
  const rois = randomRois(random, 2, 9, 8, 1, 10);
  for (const implementation of ['simd', 'scalar'] as const) {
    const o = { outHeight: 3, outWidth: 2, spatialScale: 1, samplingRatio: 2, aligned: true, implementation };
    const fresh = roiAlign(features, shape, rois, o);
    const out = new Float32Array(fresh.length).fill(NaN);
    assert.equal(roiAlign(features, shape, rois, o, out), out);
    assert.deepEqual(out, fresh, implementation);
    const g = Float32Array.from({ length: fresh.length }, () => random());
    const grad = roiAlignBackward(g, shape, rois, o);
    const gradOut = new Float32Array(grad.length).fill(7);
    assert.equal(roiAlignBackward(g, shape, rois, o, gradOut), gradOut);
    assert.deepEqual(gradOut, grad, implementation);
  }
});

test('roiAlign on an empty map (height 0) gives zeros', () => {
  const rois = Float32Array.from([0, 0, 0, 3, 3]);
  for (const implementation of ['simd', 'scalar'] as const) {
    const o = { outHeight: 2, outWidth: 2, spatialScale: 1, samplingRatio: 0, aligned: false, implementation };
    assert.deepEqual(Array.from(roiAlign(new Float32Array(0), [1, 0, 4, 3], rois, o)), new Array(12).fill(0));
    assert.deepEqual(Array.from(roiAlignBackward(new Float32Array(12), [1, 0, 4, 3], rois, o)), []);
  }
});

test('roiAlign rejects bad input with DetsegInputError naming the field', () => {
  const opts = { outHeight: 2, outWidth: 2, spatialScale: 1, samplingRatio: 2, aligned: true };
  const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof DetsegInputError && re.test(e.message));
  bad(() => roiAlign(RAMP, [1, 4, 4, 1], Float32Array.from([0, 0, 0, Infinity, 3]), opts), /^rois: RoI 0 has a non-finite value/);
  bad(() => roiAlign(RAMP, [1, 4, 4, 1], Float32Array.from([0, 0, 0, 1, 1, 0, 0, 0, 3, NaN]), opts), /^rois: RoI 1 has a non-finite value/);
  bad(() => roiAlign(RAMP, [1, 4, 4, 1], Float32Array.from([-1, 0, 0, 3, 3]), opts), /^rois: RoI 0 has batch index -1/);
  bad(() => roiAlign(RAMP, [1, 4, 4, 1], Float32Array.from([0, 0, 0, 3, 3, 0]), opts), /^rois: expected 5 numbers per RoI .*got an array of length 6/);
  bad(() => roiAlign(RAMP, [1, 4, 5, 1], Float32Array.from([0, 0, 0, 3, 3]), opts), /^features: expected 20 elements/);
  bad(() => roiAlign(RAMP, [4, 4, 1], Float32Array.from([0, 0, 0, 3, 3]), opts), /^features: expected a shape/);
  bad(() => roiAlign(RAMP, [1, 4, 4, 1], Float32Array.from([0, 0, 0, 3, 3]), { ...opts, samplingRatio: 1.5 }), /^samplingRatio/);
  // Adaptive sampling of a RoI 1e12 px wide would need ~1.4e11 samples per bin.
  bad(() => roiAlign(RAMP, [1, 4, 4, 1], Float32Array.from([0, 0, 0, 1e12, 3]), { ...opts, samplingRatio: 0 }), /^rois: RoI 0 .* needs \d+×\d+ samples per bin/);
  bad(() => roiAlignBackward(new Float32Array(3), [1, 4, 4, 1], Float32Array.from([0, 0, 0, 3, 3]), opts), /^gradOutput: expected 4 elements/);
  bad(() => roiAlign(RAMP, [1, 4, 4, 1], Float32Array.from([0, 0, 0, 3, 3]), opts, new Float32Array(5)), /^out: expected a buffer of 4 elements, got 5/);
  bad(() => roiAlignBackward(new Float32Array(4), [1, 4, 4, 1], Float32Array.from([0, 0, 0, 3, 3]), opts, new Float32Array(4)), /^out: expected a buffer of 16 elements/);
});
