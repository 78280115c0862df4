import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COLOUR_BINS,
  histogramIntersection,
  initialRegions,
  mergeRegions,
  regionSimilarity,
  SimilarityHeap,
  SimilarityScan,
  textureCodes,
  TEXTURE_BINS,
} from '../../src/proposals/similarity.js';
import { mulberry32 } from '../../src/util/random.js';

test('histogramIntersection of two L1-normalised rows, worked by hand', () => {
  const h = Float32Array.from([0.5, 0.25, 0.25, 0, 0.1, 0.6, 0.3, 0]);
  // min(0.5,0.1) + min(0.25,0.6) + min(0.25,0.3) + 0 = 0.1 + 0.25 + 0.25 = 0.6
  assert.ok(Math.abs(histogramIntersection(h, 4, 0, 1) - 0.6) < 1e-7);
  assert.ok(Math.abs(histogramIntersection(h, 4, 0, 0) - 1) < 1e-7);
});

test('initialRegions: colour histograms equal a per-pixel count, sizes and boxes are right', () => {
  const w = 9, h = 7, c = 3;
  const rnd = mulberry32(4);
  const labels = Int32Array.from({ length: w * h }, (_, p) => ((p % w) < 4 ? 0 : (Math.floor(p / w) < 3 ? 1 : 2)));
  const values = Float32Array.from({ length: w * h * c }, () => rnd() * 256);
  const f = initialRegions(labels, 3, w, h, c, values);
  assert.equal(f.colourDims, 75);
  for (let r = 0; r < 3; r++) {
    const pixels = [...labels.keys()].filter((p) => labels[p] === r);
    assert.equal(f.size[r], pixels.length);
    const want = new Array(75).fill(0);
    for (const p of pixels) for (let ch = 0; ch < c; ch++) want[ch * COLOUR_BINS + Math.floor((values[p * c + ch] * 25) / 256)] += 1 / (pixels.length * c);
    for (let d = 0; d < 75; d++) assert.ok(Math.abs(f.colour[r * 75 + d] - want[d]) < 1e-6, `region ${r} bin ${d}`);
  }
  assert.deepEqual(Array.from(f.boxes.subarray(0, 12)), [0, 0, 4, 7, 4, 0, 9, 3, 4, 3, 9, 7]);
});

test('mergeRegions: sizes add, boxes unite, histograms are the size-weighted average', () => {
  const labels = Int32Array.from([0, 1, 1, 1]); // 4×1 image
  const values = Float32Array.from([0, 255, 255, 255]); // one channel
  const f = initialRegions(labels, 2, 4, 1, 1, values);
  const t = mergeRegions(f, 0, 1);
  assert.equal(t, 2);
  assert.equal(f.size[t], 4);
  assert.deepEqual(Array.from(f.boxes.subarray(8, 12)), [0, 0, 4, 1]);
  assert.equal(f.colour[t * 25 + 0], 0.25);
  assert.equal(f.colour[t * 25 + 24], 0.75);
  // colour similarity of region 0 with the union: min over bins = 0.25 (bin 0)
  assert.equal(regionSimilarity(f, 0, t, { colour: true, texture: false, size: false, fill: false }, 4), 0.25);
  // size: 1 − (1 + 4)/4 = −0.25 (the union is never compared with its parts in grouping; this only checks the formula)
  assert.equal(regionSimilarity(f, 0, 1, { colour: false, texture: false, size: true, fill: false }, 8), 1 - 4 / 8);
});

test('textureCodes: a vertical step edge responds at 0° (dark→bright to the right) and 180° (bright→dark)', () => {
  const w = 20, h = 5;
  const values = Float32Array.from({ length: w * h }, (_, p) => ((p % w) >= 8 && (p % w) < 14 ? 200 : 0));
  const codes = textureCodes(values, w, h, 1); // [H, W, 1, 4]
  const at = (x: number, y: number, axis: number) => codes[(y * w + x) * 4 + axis];
  // rising edge between x = 7 and 8: gx > 0, gy = 0 → axis 0 code is orientation 0; the largest response lands in the top bin
  assert.equal(Math.floor(at(7, 2, 0) / TEXTURE_BINS), 0);
  assert.ok(at(7, 2, 0) % TEXTURE_BINS >= 8);
  // falling edge between x = 13 and 14: gx < 0 → orientation 4 (180°)
  assert.equal(Math.floor(at(14, 2, 0) / TEXTURE_BINS), 4);
  // 90° axis has zero response (gy = 0): bin 0 of orientation 2
  assert.equal(at(7, 2, 2), 2 * TEXTURE_BINS);
  // flat area far from edges: bin 0
  assert.equal(at(0, 2, 0) % TEXTURE_BINS, 0);
  // every pixel contributes 8 orientations per channel: the texture histogram sums to 1 and has 80 dims
  const f = initialRegions(new Int32Array(w * h), 1, w, h, 1, undefined, codes);
  assert.equal(f.textureDims, 80);
  assert.ok(Math.abs(f.texture.subarray(0, 80).reduce((s, v) => s + v, 0) - 1) < 1e-5);
});

test('SimilarityHeap and SimilarityScan pop pairs in the order of a full sort, skipping dead regions', () => {
  const rnd = mulberry32(11);
  const pairs: [number, number, number][] = [];
  for (let i = 0; i < 3000; i++) {
    const a = Math.floor(rnd() * 200), b = a + 1 + Math.floor(rnd() * 50);
    pairs.push([Math.round(rnd() * 20) / 20, a, b]); // few distinct similarities: ties exercised
  }
  const alive = new Uint8Array(300).fill(1);
  for (let r = 0; r < 300; r += 7) alive[r] = 0;
  const want = pairs
    .filter(([, a, b]) => alive[a] && alive[b])
    .sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2])
    .map(([, a, b]) => `${a},${b}`);
  for (const set of [new SimilarityHeap(4), new SimilarityScan()]) {
    for (const [s, a, b] of pairs) set.push(s, a, b);
    const got: string[] = [];
    for (let p = set.best(alive); p; p = set.best(alive)) got.push(p.join(','));
    assert.deepEqual(got, want);
  }
});

test('RegionFeatures.clone is a deep copy: merging into the copy leaves the original untouched', () => {
  const labels = Int32Array.from([0, 1, 1, 1]);
  const f = initialRegions(labels, 2, 4, 1, 1, Float32Array.from([0, 255, 255, 255]));
  const copy = f.clone();
  assert.deepEqual(copy, f);
  mergeRegions(copy, 0, 1);
  assert.equal(copy.count, 3);
  assert.equal(f.count, 2);
  assert.equal(f.size[2], 0);
  assert.equal(f.colour[2 * 25], 0);
});
