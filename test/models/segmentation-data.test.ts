import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../src/data/images.js';
import { syntheticSample } from '../../src/data/synthetic.js';
import { initEngine } from '../../src/engine/setup.js';
import { binaryLabelDataset, binaryMaskLabels, labelBatches, loadLabelFolder, syntheticLabelDataset, withChannels, type LabelSample } from '../../src/models/segmentation-data.js';
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

test('labelBatches: centre crop of every channel, one-hot targets; flips mirror image and labels alike (hand-worked 2×4 → 2×2)', async () => {
  await initEngine();
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

test('binaryMaskLabels: masks of only 0 and 255 become classes 0 / 1; a label map is left alone; threshold mode cuts at 128', () => {
  const set = (...labels: number[][]) => ({ samples: labels.map((l, i): LabelSample => ({ name: `s${i}`, height: 1, width: l.length, channels: 1, image: new Float32Array(l.length), labels: Uint8Array.from(l) })), classNames: ['background', 'class1'] });
  const binary = binaryMaskLabels(set([0, 255, 255], [0, 0, 0]), 'auto')!;
  assert.deepEqual(binary.classNames, ['background', 'foreground']);
  assert.deepEqual(binary.samples.map((s) => Array.from(s.labels)), [[0, 1, 1], [0, 0, 0]]);
  assert.equal(binaryMaskLabels(set([0, 1, 2], [0, 255]), 'auto'), undefined, 'a pixel of class 1: a label map');
  assert.equal(binaryMaskLabels(set([0, 0]), 'auto'), undefined, 'no 255 at all: a label map of background');
  assert.deepEqual(binaryMaskLabels(set([0, 127, 128, 254]), 'threshold')!.samples[0].labels, Uint8Array.of(0, 0, 1, 1));
});

test('withChannels: RGB → grey is the mean of R, G, B; grey → RGB repeats it; same channels: the same sample', () => {
  const rgb: LabelSample = { name: 'a', height: 1, width: 2, channels: 3, image: Float32Array.of(0.3, 0.6, 0.9, 0, 0, 0.75), labels: Uint8Array.of(0, 1) };
  const grey = withChannels(rgb, 1);
  assert.deepEqual(Array.from(grey.image), [Math.fround((Math.fround(0.3) + Math.fround(0.6) + Math.fround(0.9)) / 3), 0.25]);
  assert.equal(grey.channels, 1);
  assert.equal(grey.labels, rgb.labels);
  assert.deepEqual(Array.from(withChannels(grey, 3).image), [grey.image[0], grey.image[0], grey.image[0], 0.25, 0.25, 0.25]);
  assert.equal(withChannels(rgb, 3), rgb);
});
