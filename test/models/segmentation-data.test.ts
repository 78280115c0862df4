import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../src/data/images.js';
import { syntheticSample } from '../../src/data/synthetic.js';
import { binaryLabelDataset, labelBatches, loadLabelFolder, syntheticLabelDataset, type LabelSample } from '../../src/models/segmentation-data.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';

test('syntheticLabelDataset: RGB / 255 and the semantic map of the synthetic shapes, 4 classes', () => {
  const { samples, classNames } = syntheticLabelDataset(5, 3, { size: 32 });
  assert.deepEqual(classNames, ['background', 'circle', 'square', 'triangle']);
  for (let i = 0; i < 3; i++) {
    const s = syntheticSample(5, i, { size: 32 });
    assert.deepEqual(samples[i].labels, s.semantic);
    assert.equal(samples[i].image[7], Math.fround(s.image[7] / 255));
    assert.equal(samples[i].channels, 3);
  }
  const binary = binaryLabelDataset([{ name: 'a', height: 1, width: 2, image: Float32Array.of(0.1, 0.2), mask: Uint8Array.of(0, 1), group: 'p1' }], 'lv');
  assert.deepEqual(binary.classNames, ['background', 'lv']);
  assert.deepEqual([binary.samples[0].channels, binary.samples[0].group, Array.from(binary.samples[0].labels)], [1, 'p1', [0, 1]]);
});

test('labelBatches: centre crop of every channel, one-hot targets; flips mirror image and labels alike (hand-worked 2×4 → 2×2)', () => {
  // a 2-channel 2×4 image, channel value = 10·row + column (+100 in channel 1), labels 0..3 by column
  const image = new Float32Array(16);
  for (let r = 0; r < 2; r++) for (let c = 0; c < 4; c++) { image[(r * 4 + c) * 2] = 10 * r + c; image[(r * 4 + c) * 2 + 1] = 100 + 10 * r + c; }
  const sample: LabelSample = { name: 's', height: 2, width: 4, channels: 2, image, labels: Uint8Array.of(0, 1, 2, 3, 0, 1, 2, 3) };
  const [batch] = [...labelBatches([sample], [0], { batchSize: 1, crop: 2, numClasses: 4, flip: false }, mulberry32(1))];
  assert.deepEqual(batch.x.shape, [1, 2, 2, 2]);
  assert.deepEqual(Array.from(batch.x.dataSync()), [1, 101, 2, 102, 11, 111, 12, 112]); // columns 1..2
  assert.deepEqual(Array.from(batch.y.dataSync()), [0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
  // with flips on, some seed flips: the row reads backwards in image and labels together
  let flipped = false;
  for (let seed = 0; seed < 10 && !flipped; seed++) {
    const [b] = [...labelBatches([sample], [0], { batchSize: 1, crop: 2, numClasses: 4, flip: true }, mulberry32(seed))];
    const x = Array.from(b.x.dataSync());
    if (x[0] === 2) {
      flipped = true;
      assert.deepEqual(Array.from(b.y.dataSync()).slice(0, 8), [0, 0, 1, 0, 0, 1, 0, 0]);
    }
  }
  assert.ok(flipped);
  assert.throws(() => [...labelBatches([sample], [0], { batchSize: 1, crop: 2, numClasses: 2, flip: false }, mulberry32(1))], (e: Error) => e instanceof DetsegInputError && /label 2/.test(e.message));
});

test('loadLabelFolder reads the class id from the mask grey level; colour masks and missing partners are errors naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-labels-'));
  mkdirSync(join(dir, 'images'));
  mkdirSync(join(dir, 'masks'));
  const rgb = (w: number, h: number, f: (i: number) => [number, number, number]) => {
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.set(f(i), 3 * i);
    return { width: w, height: h, data };
  };
  writeFileSync(join(dir, 'images', 'a.png'), await encodePng(rgb(3, 2, (i) => [10 * i, 20, 30])));
  writeFileSync(join(dir, 'masks', 'a.png'), await encodePng(rgb(3, 2, (i) => [i % 3, i % 3, i % 3])));
  const { samples, classNames } = await loadLabelFolder(dir);
  assert.deepEqual(classNames, ['background', 'class1', 'class2']);
  assert.deepEqual(Array.from(samples[0].labels), [0, 1, 2, 0, 1, 2]);
  assert.equal(samples[0].image[3], Math.fround(10 / 255));
  writeFileSync(join(dir, 'masks', 'a.png'), await encodePng(rgb(3, 2, (i) => [i, 0, 0])));
  await assert.rejects(loadLabelFolder(dir), (e: Error) => e instanceof DetsegInputError && /colour/.test(e.message) && e.message.includes('a.png'));
  writeFileSync(join(dir, 'masks', 'a.png'), await encodePng(rgb(3, 2, () => [1, 1, 1])));
  writeFileSync(join(dir, 'images', 'b.png'), await encodePng(rgb(3, 2, () => [0, 0, 0])));
  await assert.rejects(loadLabelFolder(dir), (e: Error) => e instanceof DetsegInputError && /has no mask/.test(e.message));
});
