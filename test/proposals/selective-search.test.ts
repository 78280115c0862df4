import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, type RgbImage } from '../../src/data/images.js';
import { hierarchicalGrouping, selectiveSearch, strategiesFor } from '../../src/proposals/selective-search.js';
import { initialRegions } from '../../src/proposals/similarity.js';
import { felzenszwalb } from '../../src/proposals/felzenszwalb.js';
import { convertColourSpace } from '../../src/proposals/colour-spaces.js';
import { iouPair } from '../../src/boxes/iou.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';

/** Flat-coloured rectangles (x1, y1, x2, y2, exclusive far corner) on a grey background, with mild seeded noise. */
const RECTS = [
  [10, 12, 50, 40, [220, 40, 40]],
  [60, 8, 110, 70, [40, 180, 60]],
  [20, 55, 45, 90, [30, 60, 210]],
  [70, 80, 115, 95, [240, 220, 40]],
] as const;

function rectangleImage(seed = 3): RgbImage {
  const width = 128, height = 100;
  const data = new Uint8Array(width * height * 3);
  const rnd = mulberry32(seed);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let c: readonly number[] = [128, 128, 128];
      for (const [x1, y1, x2, y2, col] of RECTS) if (x >= x1 && x < x2 && y >= y1 && y < y2) c = col;
      for (let k = 0; k < 3; k++) data[(y * width + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(c[k] + (rnd() - 0.5) * 16)));
    }
  return { data, width, height };
}

test('selective search finds every flat-coloured rectangle (IoU > 0.9), in fast mode and with one strategy', () => {
  const image = rectangleImage();
  for (const mode of ['fast', 'single'] as const) {
    const { boxes } = selectiveSearch(image, { mode, seed: 1 });
    for (const [x1, y1, x2, y2] of RECTS) {
      let best = 0;
      for (let i = 0; i < boxes.length; i += 4) best = Math.max(best, iouPair(x1, y1, x2, y2, boxes[i], boxes[i + 1], boxes[i + 2], boxes[i + 3]));
      assert.ok(best > 0.9, `${mode}: rectangle ${[x1, y1, x2, y2]} best IoU ${best}`);
    }
  }
});

test('proposals are valid boxes inside the image, distinct, at most maxBoxes, and the whole image is among them', () => {
  const image = rectangleImage();
  for (const maxBoxes of [2000, 25]) {
    const r = selectiveSearch(image, { mode: 'fast', maxBoxes });
    const n = r.boxes.length / 4;
    assert.equal(n, Math.min(maxBoxes, r.distinct));
    assert.ok(r.distinct <= r.candidates && r.hierarchies === 8);
    const keys = new Set<string>();
    for (let i = 0; i < n; i++) {
      const [x1, y1, x2, y2] = r.boxes.subarray(4 * i, 4 * i + 4);
      assert.ok(0 <= x1 && x1 < x2 && x2 <= image.width && 0 <= y1 && y1 < y2 && y2 <= image.height, `box ${i}: ${[x1, y1, x2, y2]}`);
      assert.ok(Number.isInteger(x1) && Number.isInteger(y2));
      keys.add(`${x1},${y1},${x2},${y2}`);
    }
    assert.equal(keys.size, n, 'no duplicate boxes');
    if (maxBoxes === 2000) assert.ok(keys.has(`0,0,${image.width},${image.height}`));
  }
});

test('the same seed gives the same ranked list; another seed reorders the same set of boxes', () => {
  const image = rectangleImage();
  const a = selectiveSearch(image, { mode: 'fast', seed: 5, maxBoxes: 100000 });
  const b = selectiveSearch(image, { mode: 'fast', seed: 5, maxBoxes: 100000 });
  const c = selectiveSearch(image, { mode: 'fast', seed: 6, maxBoxes: 100000 });
  assert.deepEqual(a.boxes, b.boxes);
  assert.notDeepEqual(a.boxes, c.boxes);
  const asSet = (x: Float32Array) => new Set(Array.from({ length: x.length / 4 }, (_, i) => x.subarray(4 * i, 4 * i + 4).join(',')));
  assert.deepEqual(asSet(a.boxes), asSet(c.boxes));
});

test('hierarchical grouping: a hand-worked example with the size similarity', () => {
  // One row of 6 pixels: regions A (x=0), B (x=1), C (x=2..5). s_size = 1 − (|a| + |b|) / 6:
  // s(A,B) = 1 − 2/6 = 0.667 > s(B,C) = 1 − 5/6 = 0.167, so A∪B (region 3) first, then 3∪C (region 4).
  const labels = Int32Array.from([0, 1, 2, 2, 2, 2]);
  const f = initialRegions(labels, 3, 6, 1, 1);
  const h = hierarchicalGrouping(f, labels, 6, 1, { colour: false, texture: false, size: true, fill: false });
  assert.equal(h.count, 5);
  assert.equal(h.initialCount, 3);
  assert.deepEqual(Array.from(h.merges), [0, 1, 2, 3]); // pairs are stored smaller index first
  assert.deepEqual(Array.from(h.boxes), [0, 0, 1, 1, 1, 0, 2, 1, 2, 0, 6, 1, 0, 0, 2, 1, 0, 0, 6, 1]);
  assert.deepEqual(Array.from(f.size.subarray(0, 5)), [1, 1, 4, 2, 6]);
});

test('hierarchical grouping: fill prefers the region that fits inside the other’s box', () => {
  // 4×4 image: region 0 is an L around region 1 (the 2×2 block at the top-left), region 2 the rest.
  //   1 1 0 2      s_fill(0,1): box 3×3 = 9 px, |0| + |1| = 5 + 4 → 1 − 0/16 = 1
  //   1 1 0 2      s_fill(0,2): box 4×4 = 16 px, 5 + 7 = 12 → 1 − 4/16 = 0.75
  //   0 0 0 2      s_fill(1,2): not neighbours
  //   2 2 2 2
  const labels = Int32Array.from([1, 1, 0, 2, 1, 1, 0, 2, 0, 0, 0, 2, 2, 2, 2, 2]);
  const f = initialRegions(labels, 3, 4, 4, 1);
  const h = hierarchicalGrouping(f, labels, 4, 4, { colour: false, texture: false, size: false, fill: true });
  assert.deepEqual(Array.from(h.merges), [0, 1, 2, 3]);
  assert.deepEqual(Array.from(h.boxes.subarray(12, 16)), [0, 0, 3, 3]);
});

test('the heap and the flat-scan similarity sets merge in the same order on a real segmentation', () => {
  const image = rectangleImage(9);
  const values = convertColourSpace(image.data, 'lab');
  const seg = felzenszwalb(values, image.width, image.height, 3, { k: 20, sigma: 0.8, minSize: 5 });
  assert.ok(seg.count > 20, `want many regions, got ${seg.count}`);
  const weights = { colour: true, texture: false, size: true, fill: true };
  const heap = hierarchicalGrouping(initialRegions(seg.labels, seg.count, image.width, image.height, 3, values), seg.labels, image.width, image.height, weights, 'heap');
  const scan = hierarchicalGrouping(initialRegions(seg.labels, seg.count, image.width, image.height, 3, values), seg.labels, image.width, image.height, weights, 'scan');
  assert.equal(heap.count, 2 * seg.count - 1);
  assert.deepEqual(heap.merges, scan.merges);
  assert.deepEqual(Array.from(heap.boxes.subarray(4 * (heap.count - 1))), [0, 0, image.width, image.height]);
});

test('strategiesFor gives the paper’s 1, 8 and 80 strategies', () => {
  assert.equal(strategiesFor('single').length, 1);
  assert.equal(strategiesFor('fast').length, 8);
  assert.equal(strategiesFor('quality').length, 80);
  assert.throws(() => strategiesFor('slow' as never), DetsegInputError);
});

test('images for selective search: decodeImage gives RGB from PNG, and rejects a missing file or a non-image with DetsegInputError naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-ss-'));
  const png = join(dir, 'tiny.png');
  // 2×1 image with alpha: red, then green; alpha is dropped
  await sharp(Buffer.from([255, 0, 0, 255, 0, 255, 0, 128]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(png);
  const img = await decodeImage(png);
  assert.equal(img.width, 2);
  assert.deepEqual(Array.from(img.data), [255, 0, 0, 0, 255, 0]);
  const missing = join(dir, 'missing.jpg');
  await assert.rejects(decodeImage(missing), (e: unknown) => e instanceof DetsegInputError && e.message.includes(missing));
  const fake = join(dir, 'fake.png');
  writeFileSync(fake, 'this is not an image');
  await assert.rejects(decodeImage(fake), (e: unknown) => e instanceof DetsegInputError && e.message.includes(fake) && /cannot decode/.test(e.message));
});

test('selectiveSearch rejects a malformed image', () => {
  assert.throws(() => selectiveSearch({ data: new Uint8Array(10), width: 2, height: 2 }), (e: unknown) => e instanceof DetsegInputError && /image\.data/.test(e.message));
  assert.throws(() => selectiveSearch({ data: new Uint8Array(0), width: 0, height: 3 }), DetsegInputError);
  assert.throws(() => selectiveSearch(rectangleImage(), { maxBoxes: -1 }), DetsegInputError);
});

test('pseudo-random ranking: region r of a hierarchy of R regions gets rank value (R − r) × U, lower first', () => {
  // 6×1 image: pixel 0 red, pixel 1 green, pixels 2..5 blue. With sigma 0 and k = 1 the segmentation is
  // exactly those three regions; size similarity merges red+green first (s = 1 − 2/6), then the rest.
  // Hierarchy (R = 5): 0 (0,0,1,1), 1 (1,0,2,1), 2 (2,0,6,1), 3 (0,0,2,1), 4 (0,0,6,1).
  const data = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255]);
  const hierarchy = [[0, 0, 1, 1], [1, 0, 2, 1], [2, 0, 6, 1], [0, 0, 2, 1], [0, 0, 6, 1]];
  const strategy = { colourSpace: 'rgb' as const, k: 1, similarity: { colour: false, texture: false, size: true, fill: false } };
  for (const seed of [0, 1, 42]) {
    const r = selectiveSearch({ data, width: 6, height: 1 }, { strategies: [strategy], sigma: 0, seed });
    const random = mulberry32(seed);
    const value = hierarchy.map((_, i) => (5 - i) * random());
    const want = hierarchy.map((_, i) => i).sort((a, b) => value[a] - value[b]).flatMap((i) => hierarchy[i]);
    assert.deepEqual(Array.from(r.boxes), want, `seed ${seed}`);
    assert.equal(r.candidates, 5);
  }
});

test('degenerate images: a 1×1 image gives its one box; a 1-pixel-high strip of 4 colours gives 7 boxes', () => {
  const one = selectiveSearch({ data: Uint8Array.from([10, 20, 30]), width: 1, height: 1 }, { mode: 'fast' });
  assert.deepEqual(Array.from(one.boxes), [0, 0, 1, 1]);
  // 4 single-pixel regions (sigma 0, k = 1) → 4 initial + 3 merged regions, all with distinct boxes
  const strip = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0]);
  const strategy = { colourSpace: 'rgb' as const, k: 1, similarity: { colour: true, texture: true, size: true, fill: true } };
  const r = selectiveSearch({ data: strip, width: 4, height: 1 }, { strategies: [strategy], sigma: 0 });
  assert.equal(r.candidates, 7);
  assert.equal(r.boxes.length / 4, 7);
  const keys = new Set(Array.from({ length: 7 }, (_, i) => r.boxes.subarray(4 * i, 4 * i + 4).join(',')));
  for (let x = 0; x < 4; x++) assert.ok(keys.has(`${x},0,${x + 1},1`), `pixel ${x}`);
  assert.ok(keys.has('0,0,4,1'));
});

test('selectiveSearch refuses an image over maxPixels (default 2048×2048) before any work, naming the limit', () => {
  const image = { width: 30, height: 20, data: new Uint8Array(30 * 20 * 3) };
  assert.throws(() => selectiveSearch(image, { maxPixels: 599 }), (e: unknown) => e instanceof DetsegInputError && e.message === 'image: image of 30×20 = 600 pixels is larger than the limit of 599 pixels (raise it with the maxPixels option)');
  assert.ok(selectiveSearch(image, { maxPixels: 600, mode: 'single' }).boxes.length > 0);
  // the default: a 2049×2048 image (its bytes are not even looked at) is refused
  const huge = { width: 2049, height: 2048, data: new Uint8Array(2049 * 2048 * 3) };
  assert.throws(() => selectiveSearch(huge), /larger than the limit of 4194304 pixels/);
});
