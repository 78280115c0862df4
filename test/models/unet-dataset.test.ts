import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../src/data/images.js';
import { holdOutGroups, loadSegFolder, sunnybrookSamples, type SegSample } from '../../src/models/unet/dataset.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';

test('holdOutGroups on the embedded Sunnybrook slices holds out whole patients (0.2 of 5 = 1), never a slice of a training patient; seeded', () => {
  const samples = sunnybrookSamples();
  const patients = new Set(samples.map((s) => s.group));
  assert.equal(patients.size, 5);
  const chosen = new Set<string>();
  for (let seed = 0; seed < 12; seed++) {
    const { trainIndices, valIndices, valGroups } = holdOutGroups(samples, 0.2, mulberry32(seed));
    assert.equal(valGroups.length, 1);
    chosen.add(valGroups[0]);
    const valPatients = new Set(valIndices.map((i) => samples[i].group));
    const trainPatients = new Set(trainIndices.map((i) => samples[i].group));
    assert.deepEqual([...valPatients], valGroups, 'validation slices all belong to the held-out patient');
    assert.ok(!trainPatients.has(valGroups[0]), 'no slice of the held-out patient is trained on');
    assert.equal(valIndices.length, samples.filter((s) => s.group === valGroups[0]).length, 'every slice of the held-out patient');
    assert.deepEqual([...trainIndices, ...valIndices].sort((a, b) => a - b), samples.map((_, i) => i));
    assert.deepEqual(holdOutGroups(samples, 0.2, mulberry32(seed)), { trainIndices, valIndices, valGroups }, 'same seed, same split');
  }
  assert.ok(chosen.size >= 3, `seeds choose different patients (${[...chosen].join(', ')})`);
  assert.equal(holdOutGroups(samples, 0.5, mulberry32(1)).valGroups.length, 3, 'round(0.5 · 5) = 3 patients');
  assert.equal(holdOutGroups(samples, 0.99, mulberry32(1)).valGroups.length, 4, 'at most all patients but one');
  assert.deepEqual(holdOutGroups(samples, 0, mulberry32(1)).valIndices, []);
});

test('holdOutGroups without groups (an image folder) holds out round(fraction · N) single images', () => {
  const samples: SegSample[] = Array.from({ length: 10 }, (_, i) => ({ name: `img${i}`, height: 1, width: 1, image: new Float32Array(1), mask: new Uint8Array(1) }));
  const { trainIndices, valIndices, valGroups } = holdOutGroups(samples, 0.2, mulberry32(3));
  assert.equal(valIndices.length, 2);
  assert.equal(trainIndices.length, 8);
  assert.deepEqual(valGroups, [], 'no patient names to report');
  assert.deepEqual([...trainIndices, ...valIndices].sort((a, b) => a - b), samples.map((_, i) => i));
});

test('loadSegFolder: a mask without an image, two images sharing a mask, and a colour mask are errors naming the file', async () => {
  const png = (w: number, h: number, rgb: (i: number) => [number, number, number]) => {
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.set(rgb(i), 3 * i);
    return encodePng({ data, width: w, height: h });
  };
  const folder = async (images: string[], masks: [string, [number, number, number]][]) => {
    const dir = mkdtempSync(join(tmpdir(), 'detseg-seg-'));
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'masks'));
    for (const f of images) writeFileSync(join(dir, 'images', f), await png(4, 3, () => [90, 90, 90]));
    for (const [f, colour] of masks) writeFileSync(join(dir, 'masks', f), await png(4, 3, (i) => (i === 5 ? colour : [0, 0, 0])));
    return dir;
  };
  // a good folder: pixel 5 (x 1, y 1) is the only foreground pixel
  const good = await loadSegFolder(await folder(['a.png'], [['a.png', [255, 255, 255]]]));
  assert.deepEqual(Array.from(good[0].mask), [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  const orphan = await folder(['a.png'], [['a.png', [255, 255, 255]], ['b.png', [255, 255, 255]]]);
  await assert.rejects(loadSegFolder(orphan), (e: unknown) => e instanceof DetsegInputError && e.message === `${join(orphan, 'masks', 'b.png')}: has no image b.* in ${join(orphan, 'images')}`);
  const shared = await folder(['a.png', 'a.jpg'], [['a.png', [255, 255, 255]]]);
  await assert.rejects(loadSegFolder(shared), /images: two image files share the stem 'a': a\.jpg and a\.png/);
  const colour = await folder(['a.png'], [['a.png', [200, 30, 30]]]);
  await assert.rejects(loadSegFolder(colour), (e: unknown) => e instanceof DetsegInputError && e.message === `${join(colour, 'masks', 'a.png')}: mask is in colour (pixel 1, 1 is RGB 200, 30, 30): expected grey or black and white`);
});
