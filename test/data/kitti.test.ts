import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCocoDataset } from '../../src/data/coco.js';
import { KITTI_CLASSES, kittiLabelText, parseKittiLabels, readKittiLabels, writeKittiDir } from '../../src/data/kitti.js';
import { packageRoot } from '../../src/util/paths.js';
import { sharedData } from '../helpers/shared.js';
import { assertSameObjects, tempDir } from './roundtrip-helpers.js';

const fixtures = join(packageRoot(), 'test', 'fixtures', 'data');
const kittiImages = [
  { file: '000000.png', width: 1224, height: 370 },
  { file: '000001.png', width: 1242, height: 375 },
];

/** A temporary folder holding one KITTI label file, `000000000643.txt`, with `text`. */
function tempDirWith(text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, '000000000643.txt'), text);
  return dir;
}

test('KITTI read: bbox is left/top/right/bottom px, 3-D fields and flags kept, DontCare is an ignore region', () => {
  const d = readKittiLabels(join(fixtures, 'kitti'), kittiImages);
  assert.deepEqual(d.classNames, KITTI_CLASSES);
  const [a, b] = d.images;
  // "Pedestrian 0.00 0 -0.20 712.40 143.00 810.73 307.92 1.89 0.48 1.20 1.84 1.47 8.41 0.01"
  assert.deepEqual(Array.from(a.boxes), [712.4, 143, 810.73, 307.92].map(Math.fround));
  assert.equal(d.classNames[a.labels[0]], 'Pedestrian');
  assert.deepEqual(Array.from(a.kitti3d!), [-0.2, 1.89, 0.48, 1.2, 1.84, 1.47, 8.41, 0.01].map(Math.fround));
  assert.deepEqual(b.labels.length, 2);
  assert.deepEqual(Array.from(b.truncated), [0, 0.5]);
  assert.deepEqual(Array.from(b.occluded!), [0, 1]);
  assert.deepEqual(Array.from(b.ignore!), [503.89, 169.71, 590.61, 190.13].map(Math.fround));
});

test('KITTI write → read is exact and the text matches the input lines field for field', async () => {
  const d = readKittiLabels(join(fixtures, 'kitti'), kittiImages);
  const dir = join(tempDir(), 'k');
  await writeKittiDir(d, dir);
  const back = readKittiLabels(dir, kittiImages);
  assertSameObjects(d, back, 0);
  assert.deepEqual(back.images[1].ignore, d.images[1].ignore);
  assert.deepEqual(back.images[1].kitti3d, d.images[1].kitti3d);
  for (const f of ['000000.txt', '000001.txt']) {
    const norm = (t: string) => t.trim().split('\n').map((l) => l.split(' ').map((v, i) => (i === 0 ? v : Number(v))));
    assert.deepEqual(norm(readFileSync(join(dir, f), 'utf8')), norm(readFileSync(join(fixtures, 'kitti', f), 'utf8')));
  }
});

test('COCO → KITTI: crowd becomes DontCare, names lose their spaces, unset 3-D values are KITTI\'s', () => {
  const coco = readCocoDataset(join(fixtures, 'coco128', 'instances_subset.json'));
  const im = coco.images[2]; // 000000000643: 21 objects, the last one crowd
  const text = kittiLabelText(im, coco.classNames);
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 21);
  assert.equal(lines.filter((l) => l.startsWith('DontCare ')).length, 1);
  assert.equal(lines[lines.length - 1], 'DontCare -1 -1 -10 318 261 413 374 -1 -1 -1 -1000 -1000 -1000 -10');
  assert.match(lines[0], /^tv 0 3 -10 105\.93 169\.33 316\.24 368\.04 -1 -1 -1 -1000 -1000 -1000 -10$/);
  const back = readKittiLabels(tempDirWith(text), [{ file: '000000000643.jpg', width: 500, height: 375 }], { classNames: coco.classNames.map((n) => n.replace(/ /g, '_')) });
  assert.equal(assertSameObjects({ ...coco, images: [im] }, { ...back, classNames: coco.classNames }, 0, (_, j) => !im.iscrowd[j]), 20);
});

test('KITTI bad input: field count, numbers, box outside, unknown type, label without image', () => {
  const p = (t: string) => () => parseKittiLabels(t, 'k.txt', 100, 50);
  assert.throws(p('Car 0 0 0 1 2 3 4 1 1 1 0 0 0\n'), /k\.txt: line 1: expected 15 fields/);
  assert.throws(p('\nCar 0 0 0 1 2 x 4 1 1 1 0 0 0 0\n'), /k\.txt: line 2: field 7 is not a number: "x"/);
  assert.throws(p('Car 0 0 0 1 2 300 4 1 1 1 0 0 0 0\n'), /k\.txt: line 1 bbox: bbox .* lies outside the 100×50 image/);
  assert.throws(p('Car 0 7 0 1 2 3 4 1 1 1 0 0 0 0\n'), /k\.txt: line 1 occluded: occluded must be 0, 1, 2 or 3/);
  assert.throws(() => readKittiLabels(join(fixtures, 'kitti'), kittiImages, { classNames: ['Car', 'Cyclist'] }), /000000\.txt: object 0 type: unknown object type "Pedestrian"/);
  assert.throws(() => readKittiLabels(join(fixtures, 'kitti'), kittiImages.slice(0, 1)), /000001\.txt: label file has no image/);
});

test('coco128: COCO → KITTI → COCO keeps all 929 non-crowd boxes exactly; the 10 crowd boxes become DontCare regions', async (t) => {
  const ann = sharedData(t, 'coco128', 'annotations', 'instances_coco128.json');
  if (!ann) return;
  const coco = readCocoDataset(ann);
  const dir = join(tempDir(), 'kitti');
  await writeKittiDir(coco, dir);
  const back = readKittiLabels(dir, coco.images, { classNames: coco.classNames.map((n) => n.replace(/ /g, '_')) });
  assert.equal(assertSameObjects(coco, { ...back, classNames: coco.classNames }, 0, (i, j) => !coco.images[i].iscrowd[j]), 929);
  let crowd = 0;
  coco.images.forEach((im, i) => {
    const want: number[] = [];
    for (let j = 0; j < im.labels.length; j++) if (im.iscrowd[j]) want.push(...im.boxes.subarray(4 * j, 4 * j + 4));
    assert.deepEqual(Array.from(back.images[i].ignore!), want);
    crowd += want.length / 4;
  });
  assert.equal(crowd, 10);
});
