import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRle, encodeMask, mergeRles, rleArea, rleToBbox, type Rle } from '../../src/masks/rle.js';
import { mulberry32 } from '../../src/util/random.js';

/** A random column-major mask `[w,h]` with blobs (runs) rather than salt-and-pepper. */
function randomMask(random: () => number, h: number, w: number, density: number): Uint8Array {
  const m = new Uint8Array(h * w);
  let v = random() < density ? 1 : 0;
  for (let i = 0; i < m.length; i++) {
    if (random() < 0.15) v = random() < density ? 1 : 0;
    m[i] = v;
  }
  return m;
}

/** Naive bounding box of a column-major mask, xywh, by visiting every pixel. */
function naiveBbox(m: Uint8Array, h: number, w: number): number[] {
  let xs = Infinity, ys = Infinity, xe = -1, ye = -1;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      if (!m[x * h + y]) continue;
      xs = Math.min(xs, x);
      xe = Math.max(xe, x);
      ys = Math.min(ys, y);
      ye = Math.max(ye, y);
    }
  }
  return xe < 0 ? [0, 0, 0, 0] : [xs, ys, xe - xs + 1, ye - ys + 1];
}

test('encodeMask: a hand-worked 2×3 mask, column-major, starting with zeros', () => {
  // rows: [0 1 1; 0 1 0] → columns: [0,0], [1,1], [1,0] → 0,0,1,1,1,0 → counts [2, 3, 1]
  const rle = encodeMask([0, 0, 1, 1, 1, 0], 2, 3);
  assert.deepEqual(Array.from(rle.counts), [2, 3, 1]);
  assert.equal(rleArea(rle), 3);
  // the run of ones crosses from column 1 into column 2, so the box spans both rows
  assert.deepEqual(Array.from(rleToBbox(rle)), [1, 0, 2, 2]);
  // a mask starting with a one starts with an empty run of zeros
  assert.deepEqual(Array.from(encodeMask([1, 1, 0, 0], 2, 2).counts), [0, 2, 2]);
  // all zeros and the empty mask
  assert.deepEqual(Array.from(encodeMask([0, 0, 0, 0], 2, 2).counts), [4]);
  assert.deepEqual(Array.from(encodeMask([], 0, 0).counts), [0]);
  assert.deepEqual(Array.from(rleToBbox(encodeMask([0, 0, 0, 0], 2, 2))), [0, 0, 0, 0]);
});

test('rleToBbox: a single pixel and a blob that stays inside its columns (hand-worked)', () => {
  // 3×3, pixel (x=2, y=1) → index 2*3+1 = 7 → counts [7, 1, 1]
  const one = encodeMask([0, 0, 0, 0, 0, 0, 0, 1, 0], 3, 3);
  assert.deepEqual(Array.from(one.counts), [7, 1, 1]);
  assert.deepEqual(Array.from(rleToBbox(one)), [2, 1, 1, 1]);
  // 4×3, rows 1..2 of columns 0 and 1: [0,1,1,0, 0,1,1,0, 0,0,0,0] → box x 0..1, y 1..2
  const blob = encodeMask([0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0], 4, 3);
  assert.deepEqual(Array.from(blob.counts), [1, 2, 2, 2, 5]);
  assert.deepEqual(Array.from(rleToBbox(blob)), [0, 1, 2, 2]);
});

test('encode → decode round trips, area and box equal a per-pixel count on random masks', () => {
  const random = mulberry32(7);
  for (let trial = 0; trial < 200; trial++) {
    const h = 1 + Math.floor(random() * 30), w = 1 + Math.floor(random() * 30);
    const mask = randomMask(random, h, w, random());
    const rle = encodeMask(mask, h, w);
    let sum = 0;
    for (const c of rle.counts) sum += c;
    assert.equal(sum, h * w);
    assert.deepEqual(decodeRle(rle), mask);
    assert.equal(rleArea(rle), mask.reduce((a, b) => a + b, 0));
    const box = Array.from(rleToBbox(rle));
    const naive = naiveBbox(mask, h, w);
    // pycocotools widens a box to every row when a run of ones wraps to the next column
    if (box[1] === 0 && box[3] === h && !(naive[1] === 0 && naive[3] === h)) {
      assert.equal(box[0], naive[0]);
      assert.equal(box[2], naive[2]);
    } else assert.deepEqual(box, naive);
  }
});

test('mergeRles: union and intersection equal per-pixel OR / AND on random masks', () => {
  const random = mulberry32(11);
  for (let trial = 0; trial < 100; trial++) {
    const h = 1 + Math.floor(random() * 20), w = 1 + Math.floor(random() * 20);
    const n = 2 + Math.floor(random() * 3);
    const masks = Array.from({ length: n }, () => randomMask(random, h, w, random()));
    const rles: Rle[] = masks.map((m) => encodeMask(m, h, w));
    const or = new Uint8Array(h * w), and = new Uint8Array(h * w).fill(1);
    for (const m of masks) for (let i = 0; i < h * w; i++) {
      or[i] |= m[i];
      and[i] &= m[i];
    }
    const union = mergeRles(rles, false);
    const inter = mergeRles(rles, true);
    assert.deepEqual(decodeRle(union), or);
    assert.deepEqual(decodeRle(inter), and);
    // canonical: same runs as encoding the result directly
    assert.deepEqual(Array.from(union.counts), Array.from(encodeMask(or, h, w).counts));
    assert.deepEqual(Array.from(inter.counts), Array.from(encodeMask(and, h, w).counts));
  }
});

test('mergeRles: one mask is copied, none or mixed sizes give an empty 0×0 RLE (as pycocotools)', () => {
  const a = encodeMask([0, 1, 1, 0], 2, 2);
  assert.deepEqual(Array.from(mergeRles([a]).counts), [1, 2, 1]);
  assert.deepEqual(mergeRles([]), { h: 0, w: 0, counts: new Uint32Array(0) });
  const b = encodeMask([0, 1, 1, 0, 0, 0], 3, 2);
  assert.deepEqual(mergeRles([a, b]), { h: 0, w: 0, counts: new Uint32Array(0) });
});
