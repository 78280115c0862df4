import { test } from 'node:test';
import assert from 'node:assert/strict';
import { felzenszwalb, gaussianKernel, gaussianSmooth, sortIndicesByWeight } from '../../src/proposals/felzenszwalb.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';

/** Direct 2-D convolution with the outer product of the 1-D kernel, borders clamped: the slow reference. */
function naiveSmooth(pixels: ArrayLike<number>, w: number, h: number, c: number, sigma: number): Float64Array {
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) >> 1;
  const out = new Float64Array(w * h * c);
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi - 1);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let dy = -r; dy <= r; dy++)
          for (let dx = -r; dx <= r; dx++) acc += k[dy + r] * k[dx + r] * pixels[(clamp(y + dy, h) * w + clamp(x + dx, w)) * c + ch];
        out[(y * w + x) * c + ch] = acc;
      }
  return out;
}

/**
 * The algorithm of Felzenszwalb & Huttenlocher (2004) written the obvious way: edge objects sorted with
 * Array.prototype.sort (stable), a component id per pixel relabelled wholesale on every merge, Int(C)
 * kept as the largest merged edge weight. Takes the smoothed image so that smoothing is tested apart.
 */
function naiveSegment(smoothed: Float32Array, w: number, h: number, c: number, k: number, minSize: number): Int32Array {
  const edges: { p: number; q: number; w: number }[] = [];
  const dist = (p: number, q: number) => {
    let s = 0;
    for (let ch = 0; ch < c; ch++) s += (smoothed[p * c + ch] - smoothed[q * c + ch]) ** 2;
    return Math.fround(Math.sqrt(s));
  };
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      for (const [dx, dy] of [[1, 0], [0, 1], [1, 1], [1, -1]]) {
        const xx = x + dx, yy = y + dy;
        if (xx < w && yy >= 0 && yy < h) edges.push({ p, q: yy * w + xx, w: dist(p, yy * w + xx) });
      }
    }
  edges.sort((a, b) => a.w - b.w);
  const comp = Int32Array.from({ length: w * h }, (_, i) => i);
  const internal = new Map<number, number>();
  const sizeOf = (id: number) => comp.filter((v) => v === id).length;
  const merge = (a: number, b: number, weight: number) => {
    const inter = Math.max(internal.get(a) ?? 0, internal.get(b) ?? 0, weight);
    for (let i = 0; i < comp.length; i++) if (comp[i] === b) comp[i] = a;
    internal.set(a, inter);
  };
  for (const e of edges) {
    const a = comp[e.p], b = comp[e.q];
    if (a === b) continue;
    if (e.w <= (internal.get(a) ?? 0) + k / sizeOf(a) && e.w <= (internal.get(b) ?? 0) + k / sizeOf(b)) merge(a, b, e.w);
  }
  for (const e of edges) {
    const a = comp[e.p], b = comp[e.q];
    if (a !== b && (sizeOf(a) < minSize || sizeOf(b) < minSize)) merge(a, b, e.w);
  }
  return comp;
}

/** True when two labelings define the same partition (equal up to renaming). */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const ab = new Map<number, number>(), ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) return false;
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
  return true;
}

/** A random image of smooth blobs plus noise, so that segmentations have several regions. */
function blobImage(w: number, h: number, c: number, seed: number): Float32Array {
  const rnd = mulberry32(seed);
  const img = new Float32Array(w * h * c);
  const centres = Array.from({ length: 4 }, () => [rnd() * w, rnd() * h, ...Array.from({ length: c }, () => rnd() * 255)]);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let best = 0, bd = Infinity;
      centres.forEach((ct, i) => { const d = (x - ct[0]) ** 2 + (y - ct[1]) ** 2; if (d < bd) { bd = d; best = i; } });
      for (let ch = 0; ch < c; ch++) img[(y * w + x) * c + ch] = centres[best][2 + ch] + (rnd() - 0.5) * 40;
    }
  return img;
}

test('gaussianSmooth equals a direct 2-D convolution with clamped borders', () => {
  for (const [w, h, c, sigma] of [[7, 5, 3, 0.8], [12, 9, 1, 1.5], [4, 11, 2, 0.5]] as const) {
    const img = blobImage(w, h, c, w * 31 + h);
    const fast = gaussianSmooth(img, w, h, c, sigma);
    const slow = naiveSmooth(img, w, h, c, sigma);
    for (let i = 0; i < fast.length; i++) assert.ok(Math.abs(fast[i] - slow[i]) < 1e-3, `pixel value ${i}: ${fast[i]} vs ${slow[i]}`);
  }
});

test('gaussianKernel sums to 1 and has radius ceil(4 sigma)', () => {
  const k = gaussianKernel(0.8);
  assert.equal(k.length, 2 * 4 + 1);
  assert.ok(Math.abs(k.reduce((s, v) => s + v, 0) - 1) < 1e-12);
  assert.ok(Math.abs(k[4] / k[5] - Math.exp(0.5 / 0.64)) < 1e-9);
});

test('sortIndicesByWeight is a stable ascending sort (compared with Array.prototype.sort)', () => {
  const rnd = mulberry32(7);
  for (const n of [0, 1, 2, 100, 5000]) {
    // few distinct values, so that ties (and stability) matter; include 0 and large values
    const w = Float32Array.from({ length: n }, () => [0, 0.5, 3, 1e6, rnd() * 100][Math.floor(rnd() * 5)]);
    const got = Array.from(sortIndicesByWeight(w));
    const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => w[a] - w[b]);
    assert.deepEqual(got, want);
  }
});

test('felzenszwalb gives the same partition as the naive algorithm on random small images', () => {
  let multiRegion = 0;
  for (let seed = 1; seed <= 12; seed++) {
    const rnd = mulberry32(seed * 101);
    const w = 6 + Math.floor(rnd() * 14), h = 5 + Math.floor(rnd() * 12), c = seed % 3 === 0 ? 1 : 3;
    const k = [20, 100, 300][seed % 3], minSize = [1, 5, 12][seed % 3], sigma = [0, 0.8, 0.5][seed % 3];
    const img = blobImage(w, h, c, seed);
    const fast = felzenszwalb(img, w, h, c, { k, sigma, minSize });
    const smoothed = sigma > 0 ? gaussianSmooth(img, w, h, c, sigma) : Float32Array.from(img);
    const slow = naiveSegment(smoothed, w, h, c, k, minSize);
    assert.ok(samePartition(fast.labels, slow), `seed ${seed}: partitions differ`);
    assert.equal(fast.count, new Set(slow).size);
    if (fast.count > 1) multiRegion++;
  }
  assert.ok(multiRegion >= 6, 'the random images should mostly give several regions');
});

test('two flat colour halves give exactly two regions split at the boundary', () => {
  const w = 20, h = 10;
  const img = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.set(x < 8 ? [200, 30, 30] : [20, 40, 220], (y * w + x) * 3);
  // No smoothing: the halves are exactly the regions.
  const sharp = felzenszwalb(img, w, h, 3, { k: 100, sigma: 0, minSize: 1 });
  assert.equal(sharp.count, 2);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) assert.equal(sharp.labels[y * w + x], x < 8 ? 0 : 1, `pixel (${x}, ${y})`);
  // With smoothing the blurred boundary columns (10 pixels each) are absorbed once minSize exceeds a column;
  // every row then splits at the same column, within one pixel of the true edge.
  const smooth = felzenszwalb(img, w, h, 3, { k: 100, sigma: 0.8, minSize: 25 });
  assert.equal(smooth.count, 2);
  const split = Array.from({ length: h }, (_, y) => Array.from(smooth.labels.subarray(y * w, y * w + w)).indexOf(1));
  assert.ok(split.every((s) => s === split[0]) && Math.abs(split[0] - 8) <= 1, `split columns ${split}`);
});

test('minSize merges small components: a 2×2 speck vanishes with minSize 5 and stays with minSize 1', () => {
  const w = 12, h = 12;
  const img = new Float32Array(w * h).fill(50);
  for (const [x, y] of [[5, 5], [6, 5], [5, 6], [6, 6]]) img[y * w + x] = 250;
  assert.equal(felzenszwalb(img, w, h, 1, { k: 10, sigma: 0, minSize: 5 }).count, 1);
  const kept = felzenszwalb(img, w, h, 1, { k: 10, sigma: 0, minSize: 1 });
  assert.equal(kept.count, 2);
  assert.equal(kept.labels[5 * w + 5], 1);
});

test('felzenszwalb rejects bad input with DetsegInputError naming the field', () => {
  assert.throws(() => felzenszwalb(new Float32Array(5), 2, 2, 1), (e: unknown) => e instanceof DetsegInputError && /pixels/.test(e.message));
  assert.throws(() => felzenszwalb(new Float32Array([1, NaN, 0, 0]), 2, 2, 1), (e: unknown) => e instanceof DetsegInputError && /value 1/.test(e.message));
  assert.throws(() => felzenszwalb(new Float32Array(4), 2, 2, 1, { k: -1 }), (e: unknown) => e instanceof DetsegInputError && /\bk\b/.test(e.message));
  assert.throws(() => felzenszwalb(new Float32Array(0), 0, 0, 1), DetsegInputError);
});
