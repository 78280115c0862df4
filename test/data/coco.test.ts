import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cocoToDataset, datasetToCoco, parseCoco, readCocoDataset, readCocoFile, writeCocoDataset } from '../../src/data/coco.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { packageRoot } from '../../src/util/paths.js';
import { sharedData } from '../helpers/shared.js';
import { assertSameObjects, tempDir } from './roundtrip-helpers.js';

const fixture = join(packageRoot(), 'test', 'fixtures', 'data', 'coco128', 'instances_subset.json');

test('COCO read: boxes are xywh → xyxy, classes are categories sorted by id, crowd kept', () => {
  const raw = JSON.parse(readFileSync(fixture, 'utf8'));
  const d = readCocoDataset(fixture);
  assert.equal(d.images.length, 3);
  assert.equal(d.classNames.length, 80);
  const sortedIds = raw.categories.map((c: { id: number }) => c.id).sort((a: number, b: number) => a - b);
  assert.deepEqual(d.categoryIds, sortedIds);
  // Hand check against the raw JSON: each annotation's bbox x, y, x+w, y+h, in file order per image.
  for (const im of d.images) {
    const anns = raw.annotations.filter((a: { image_id: number }) => a.image_id === im.id);
    assert.equal(im.labels.length, anns.length);
    anns.forEach((a: { bbox: number[]; category_id: number; iscrowd: number; area: number }, j: number) => {
      const [x, y, w, h] = a.bbox;
      assert.deepEqual(Array.from(im.boxes.subarray(4 * j, 4 * j + 4)), [x, y, x + w, y + h].map(Math.fround));
      assert.equal(d.categoryIds![im.labels[j]], a.category_id);
      assert.equal(im.iscrowd[j], a.iscrowd);
      assert.equal(im.areas![j], a.area);
    });
  }
  assert.equal(d.images.reduce((s, im) => s + im.iscrowd.reduce((a, b) => a + b, 0), 0), 1);
  assert.equal(d.images.find((im) => im.id === 250)!.labels.length, 0);
});

test('COCO write → read keeps every box bit for bit, and writes the original bbox decimals back', () => {
  const raw = readCocoFile(fixture);
  const d = cocoToDataset(raw);
  const out = join(tempDir(), 'out.json');
  writeCocoDataset(d, out);
  const back = readCocoDataset(out);
  assert.equal(assertSameObjects(d, back, 0), 32);
  assert.deepEqual(back.categoryIds, d.categoryIds);
  const written = datasetToCoco(d);
  written.annotations.forEach((a, i) => {
    assert.deepEqual(a.bbox, raw.annotations[i].bbox, `annotation ${i} bbox`);
    assert.deepEqual(a.segmentation, raw.annotations[i].segmentation);
    assert.equal(a.area, raw.annotations[i].area);
  });
});

function cocoError(mutate: (d: any) => void): DetsegInputError {
  const d = JSON.parse(readFileSync(fixture, 'utf8'));
  mutate(d);
  try {
    parseCoco(JSON.stringify(d, null, 1), 'bad.json');
  } catch (err) {
    assert.ok(err instanceof DetsegInputError, String(err));
    return err;
  }
  assert.fail('no error thrown');
}

test('COCO bad input: each error names the file, the field and the record index', () => {
  assert.match(cocoError((d) => (d.annotations[3].category_id = 999)).message, /^bad\.json: annotations\[3\]\.category_id: unknown category_id 999/);
  assert.match(cocoError((d) => (d.annotations[5].image_id = 12345)).message, /annotations\[5\]\.image_id: unknown image_id/);
  assert.match(cocoError((d) => (d.annotations[2].bbox = [1, 2, 3])).message, /annotations\[2\]\.bbox: bbox must be 4 finite numbers/);
  assert.match(cocoError((d) => (d.annotations[2].bbox = [1, 2, 'x', 4])).message, /annotations\[2\]\.bbox/);
  assert.match(cocoError((d) => (d.annotations[7].bbox = [600, 10, 100, 10])).message, /annotations\[7\]\.bbox: .*lies outside the 448×336 image 536/);
  assert.match(cocoError((d) => (d.annotations[1].bbox = [6, 10, -1, 10])).message, /annotations\[1\]\.bbox: bbox has a negative width/);
  assert.match(cocoError((d) => (d.images[1].width = 0)).message, /images\[1\]\.width: must be a positive number/);
  assert.match(cocoError((d) => (d.images[2].id = d.images[0].id)).message, /images\[2\]\.id: duplicate image id/);
  assert.match(cocoError((d) => delete d.categories).message, /^bad\.json: categories: must be a list/);
  assert.match(cocoError((d) => (d.annotations[0].iscrowd = 2)).message, /annotations\[0\]\.iscrowd/);
  assert.match(cocoError((d) => (d.annotations[0].segmentation = [[1, 2, 3]])).message, /annotations\[0\]\.segmentation\[0\]: a polygon/);
  const crowd = JSON.parse(readFileSync(fixture, 'utf8')).annotations.findIndex((a: { iscrowd: number }) => a.iscrowd === 1);
  assert.match(cocoError((d) => (d.annotations[crowd].segmentation.size = [3, 4])).message, new RegExp(`annotations\\[${crowd}\\]\\.segmentation\\.size: RLE size \\[3,4\\] differs`));
});

test('COCO bad input: truncated and malformed JSON name the file and the line', () => {
  const text = JSON.stringify(JSON.parse(readFileSync(fixture, 'utf8')), null, 1);
  const cut = text.slice(0, Math.floor(text.length / 2));
  const cutLine = cut.split('\n').length;
  assert.throws(() => parseCoco(cut, 'cut.json'), (err: Error) => err instanceof DetsegInputError && new RegExp(`^cut\\.json: malformed JSON at line ${cutLine}, .*truncated`).test(err.message));
  const lines = text.split('\n');
  lines[10] = `${lines[10]} @`; // line 11 is `  {`: the stray @ sits in column 5
  assert.throws(() => parseCoco(lines.join('\n'), 'brace.json'), /brace\.json: malformed JSON at line 11, column 5:/);
  const dir = tempDir();
  assert.throws(() => readCocoDataset(join(dir, 'absent.json')), /absent\.json: cannot read: ENOENT/);
});

test('a COCO write that fails validation leaves no file behind', () => {
  const d = readCocoDataset(fixture);
  d.images[1].boxes[0] = Number.NaN;
  const dir = tempDir();
  assert.throws(() => writeCocoDataset(d, join(dir, 'out.json')), /images\[1\] \(000000000536\.jpg\)\.objects\[0\]: box has a non-finite coordinate/);
  assert.deepEqual(readdirSync(dir), []);
  writeFileSync(join(dir, 'keep.json'), 'old');
  d.images[1].labels[0] = 80;
  d.images[1].boxes[0] = 1;
  assert.throws(() => writeCocoDataset(d, join(dir, 'keep.json')), /class index 80 is not in 0\.\.79/);
  assert.equal(readFileSync(join(dir, 'keep.json'), 'utf8'), 'old');
});

test('instances_val2014_100: read → write keeps ids, bbox decimals, areas, crowd flags and segmentations', (t) => {
  const file = sharedData(t, 'coco_eval_fixture', 'instances_val2014_100.json');
  if (!file) return;
  const raw = readCocoFile(file);
  const written = datasetToCoco(cocoToDataset(raw));
  assert.deepEqual(written.images.map((im) => im.id), raw.images.map((im) => im.id));
  assert.deepEqual(written.categories.map((c) => [c.id, c.name]), [...raw.categories].sort((a, b) => a.id - b.id).map((c) => [c.id, c.name]));
  // The writer groups annotations by image (in image order); match them back by image and order.
  const key = (a: { image_id: number }) => a.image_id;
  const byImage = (list: typeof raw.annotations) => raw.images.flatMap((im) => list.filter((a) => key(a) === im.id));
  const want = byImage(raw.annotations);
  assert.equal(written.annotations.length, want.length);
  written.annotations.forEach((a, i) => {
    const w = want[i];
    assert.deepEqual([a.image_id, a.category_id, a.iscrowd, a.area], [w.image_id, w.category_id, w.iscrowd, w.area]);
    assert.deepEqual(a.bbox, w.bbox, `annotation ${w.id}`); // the same decimals, though stored as float32
    assert.deepEqual(a.segmentation, w.segmentation);
  });
  assert.ok(written.annotations.some((a) => a.iscrowd === 1));
});
