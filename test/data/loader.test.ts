import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCocoDataset } from '../../src/data/coco.js';
import { augmentedSource, batchCount, datasetSource, epochOrder, loaderBatches, stackImages, syntheticSource, type SampleSource } from '../../src/data/loader.js';
import { syntheticSample } from '../../src/data/synthetic.js';
import type { AugmentSample } from '../../src/data/augment.js';
import { packageRoot } from '../../src/util/paths.js';

/** A source of plain numbers that records which indices were made, and how many are alive at once. */
function countingSource(n: number) {
  const made: number[] = [];
  const source: SampleSource<number> = { length: n, get: async (i) => { made.push(i); return i; } };
  return { source, made };
}

async function collect<T>(it: AsyncGenerator<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const b of it) out.push(b);
  return out;
}

test('an epoch visits every index once, in batches of batchSize (last one smaller unless dropLast)', async () => {
  const { source } = countingSource(23);
  const batches = await collect(loaderBatches(source, 0, { batchSize: 5, seed: 1 }));
  assert.deepEqual(batches.map((b) => b.length), [5, 5, 5, 5, 3]);
  assert.deepEqual(batches.flat().sort((a, b) => a - b), Array.from({ length: 23 }, (_, i) => i));
  assert.deepEqual((await collect(loaderBatches(source, 0, { batchSize: 5, seed: 1, dropLast: true }))).map((b) => b.length), [5, 5, 5, 5]);
  assert.equal(batchCount(23, 5, true), 4);
  assert.deepEqual((await collect(loaderBatches(source, 0, { batchSize: 10, shuffle: false }))).flat(), Array.from({ length: 23 }, (_, i) => i));
});

test('shuffle: seeded (same seed and epoch → same order), differs across epochs and seeds, and is uniform', () => {
  assert.deepEqual(epochOrder(50, 7, 3), epochOrder(50, 7, 3));
  assert.notDeepEqual(epochOrder(50, 7, 3), epochOrder(50, 7, 4));
  assert.notDeepEqual(epochOrder(50, 7, 3), epochOrder(50, 8, 3));
  // Position counts of each of 4 items over 40000 epochs: expected 10000 each; chi-square with 9 dof
  // (4×4 table, rows and columns fixed) stays below 27.9 (p = 0.001) for a uniform shuffle. A biased
  // shuffle would grow with the epoch count; for seeds 1–3 it stays flat from 4e3 to 4e5 epochs.
  const counts = new Float64Array(16);
  for (let e = 0; e < 40000; e++) epochOrder(4, 3, e).forEach((item, pos) => counts[item * 4 + pos]++);
  const chi2 = counts.reduce((s, c) => s + (c - 10000) ** 2 / 10000, 0);
  assert.ok(chi2 < 27.9, `chi-square ${chi2}`);
});

test('lazy: only the current batch and the prefetched one are made before the first batch is used', async () => {
  const { source, made } = countingSource(1000);
  const it = loaderBatches(source, 0, { batchSize: 8, prefetch: 1 });
  const first = await it.next();
  assert.equal((first.value as number[]).length, 8);
  assert.ok(made.length <= 24, `${made.length} samples made for one batch`);
  await it.return(undefined);
});

test('synthetic and augmented sources: sample i is generator image i; augmentation is seeded per epoch', async () => {
  const synth = syntheticSource(10, 3, { size: 64 });
  const s = await synth.get(4, 0);
  assert.deepEqual(s.image.data, syntheticSample(3, 4, { size: 64 }).image);
  const aug = augmentedSource(synth, 9, { cropWidth: 48, cropHeight: 48 });
  const a0 = await aug.get(4, 0), b0 = await aug.get(4, 0), a1 = await aug.get(4, 1);
  assert.deepEqual(a0.image.data, b0.image.data);
  assert.equal(a0.image.width, 48);
  assert.notDeepEqual(a0.image.data, a1.image.data);
  const batch = (await loaderBatches(aug, 0, { batchSize: 4 }).next()).value as AugmentSample[];
  const stacked = stackImages(batch.map((x) => x.image));
  assert.equal(stacked.length, 4 * 48 * 48 * 3);
  assert.equal(stacked[5], Math.fround(batch[0].image.data[5] / 255));
});

test('dataset source decodes images lazily and leaves crowd objects out of training samples', async () => {
  const root = join(packageRoot(), 'test', 'fixtures', 'data', 'coco128');
  const coco = readCocoDataset(join(root, 'instances_subset.json'));
  const src = datasetSource({ ...coco, images: coco.images.slice(1) }, join(root, 'images'));
  const s = await src.get(1, 0); // 000000000643.jpg: 21 objects, one crowd
  assert.deepEqual([s.image.width, s.image.height], [500, 375]);
  assert.equal(s.labels.length, 20);
  assert.deepEqual(s.boxes.subarray(0, 4), coco.images[2].boxes.subarray(0, 4));
  // With masks: each polygon mask lies within its box (pycocotools rasterization rounds to pixels,
  // so its extent may differ from the float box by up to 1 px) and has the annotation's area to ±5%.
  const withMasks = await datasetSource({ ...coco, images: coco.images.slice(1) }, join(root, 'images'), { masks: true }).get(0, 0);
  assert.equal(withMasks.masks!.length, coco.images[1].labels.length);
  withMasks.masks!.forEach((m, j) => {
    let area = 0, x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    for (let y = 0; y < 336; y++) for (let x = 0; x < 448; x++) if (m[y * 448 + x]) { area++; x1 = Math.min(x1, x); y1 = Math.min(y1, y); x2 = Math.max(x2, x + 1); y2 = Math.max(y2, y + 1); }
    const b = withMasks.boxes.subarray(4 * j, 4 * j + 4);
    assert.ok(x1 >= b[0] - 1 && y1 >= b[1] - 1 && x2 <= b[2] + 1 && y2 <= b[3] + 1, `object ${j}: mask [${x1}, ${y1}, ${x2}, ${y2}] vs box ${b}`);
    assert.ok(Math.abs(area - coco.images[1].areas![j]) <= 0.05 * coco.images[1].areas![j] + 10, `object ${j}: area ${area} vs ${coco.images[1].areas![j]}`);
  });
});
