import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCocoDataset } from '../../src/data/coco.js';
import { makeImage } from '../../src/data/dataset.js';
import { parseYoloLabels, readYoloDataset, readYoloLabels, writeYoloDir, yoloLabelText } from '../../src/data/yolo.js';
import { packageRoot } from '../../src/util/paths.js';
import { sharedData } from '../helpers/shared.js';
import { assertSameObjects, tempDir } from './roundtrip-helpers.js';

const fixtures = join(packageRoot(), 'test', 'fixtures', 'data', 'coco128');

test('YOLO label line → pixels, by hand: "45 0.5 0.25 0.2 0.1" on 640×480 is (256, 96, 384, 144)', () => {
  const r = parseYoloLabels('45 0.5 0.25 0.2 0.1\n\n', 'x.txt', 640, 480, 80);
  assert.deepEqual(Array.from(r.boxes), [256, 96, 384, 144]);
  assert.deepEqual(Array.from(r.labels), [45]);
});

/**
 * The coco128 COCO JSON and its ultralytics YOLO labels agree: same non-crowd objects in the same order,
 * class index = position of the category id in the sorted id list, boxes equal up to the labels' 6
 * decimals (|Δ| ≤ 1e-6 · image side: 5e-7 from the centre, 2.5e-7 from half the size, plus float32).
 */
function assertCocoYoloAgree(annFile: string, labelsDir: string, imagesDir?: string): Promise<number> | number {
  const coco = readCocoDataset(annFile);
  const compare = (yolo: ReturnType<typeof readYoloLabels>) => {
    assert.deepEqual(yolo.classNames, coco.classNames);
    let n = 0;
    coco.images.forEach((im, i) => {
      const y = yolo.images[i];
      const kept = [...im.labels.keys()].filter((j) => !im.iscrowd[j]);
      assert.equal(y.labels.length, kept.length, im.file);
      kept.forEach((j, k) => {
        assert.equal(y.labels[k], im.labels[j]);
        for (let q = 0; q < 4; q++) assert.ok(Math.abs(y.boxes[4 * k + q] - im.boxes[4 * j + q]) <= 1e-6 * (q % 2 ? im.height : im.width), `${im.file} ${j}`);
        n++;
      });
    });
    return n;
  };
  if (imagesDir) return readYoloDataset(labelsDir, imagesDir).then((y) => compare({ ...y, images: coco.images.map((im) => y.images.find((yi) => yi.file === im.file)!) }));
  return compare(readYoloLabels(labelsDir, coco.images));
}

test('fixture: COCO JSON and ultralytics YOLO labels agree (class index rule, crowd has no label)', () => {
  assert.equal(assertCocoYoloAgree(join(fixtures, 'instances_subset.json'), join(fixtures, 'labels')), 31);
});

test('COCO → YOLO → COCO keeps every non-crowd box (to 1e-6 px) and every class on the fixture', async () => {
  const coco = readCocoDataset(join(fixtures, 'instances_subset.json'));
  const dir = join(tempDir(), 'yolo');
  const { skipped } = await writeYoloDir(coco, dir);
  assert.equal(skipped, 1);
  assert.deepEqual(readdirSync(dir).sort(), ['000000000250.txt', '000000000536.txt', '000000000643.txt', 'data.yaml']);
  assert.equal(readFileSync(join(dir, '000000000250.txt'), 'utf8'), '');
  const back = readYoloLabels(dir, coco.images);
  assert.equal(assertSameObjects(coco, back, 1e-6, (i, j) => !coco.images[i].iscrowd[j]), 31);
});

test('YOLO writer: numbers are short and still restore the float32 box exactly', () => {
  const im = makeImage('a.jpg', 640, 480, { boxes: [1.08, 187.69, 612.67, 473.53, 0, 0, 640, 480], labels: [3, 0] });
  const { text } = yoloLabelText(im);
  const lines = text.trim().split('\n');
  assert.equal(lines[1], '0 0.5 0.5 1 1');
  for (const f of lines[0].split(' ')) assert.ok(f.replace(/^0\./, '').length <= 12, f);
  const back = parseYoloLabels(text, 'a.txt', 640, 480, 4);
  assert.deepEqual(back.boxes, im.boxes);
});

test('YOLO bad input: errors name the file and line', () => {
  const p = (t: string) => () => parseYoloLabels(t, 'l.txt', 100, 100, 3);
  assert.throws(p('0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2\n'), /l\.txt: line 2: expected 5 fields/);
  assert.throws(p('3 0.5 0.5 0.2 0.2\n'), /l\.txt: line 1: class id 3 is not in 0\.\.2/);
  assert.throws(p('1.5 0.5 0.5 0.2 0.2\n'), /line 1: class id 1\.5/);
  assert.throws(p('0 0.5 nan 0.2 0.2\n'), /line 1: non-numeric field/);
  assert.throws(p('0 0.95 0.5 0.2 0.2\n'), /line 1: box .* lies outside the image/);
  assert.throws(p('0 0.5 0.5 -0.2 0.2\n'), /line 1: negative box size/);
  const dir = tempDir();
  mkdirSync(join(dir, 'labels'));
  writeFileSync(join(dir, 'labels', 'ghost.txt'), '0 0.5 0.5 0.1 0.1\n');
  assert.throws(() => readYoloLabels(join(dir, 'labels'), [{ file: 'real.jpg', width: 10, height: 10 }], { classNames: ['a'] }), /ghost\.txt: label file has no image/);
  assert.throws(() => readYoloLabels(join(dir, 'labels'), []), /no class names/);
});

test('YOLO read with image sizes from the image files (fixture JPEGs)', async () => {
  const y = await readYoloDataset(join(fixtures, 'labels'), join(fixtures, 'images'));
  assert.deepEqual(y.images.map((im) => [im.file, im.width, im.height]), [['000000000536.jpg', 448, 336], ['000000000643.jpg', 500, 375]]);
});

test('coco128: COCO JSON and YOLO labels agree on all 929 non-crowd objects; COCO → YOLO → COCO exact', async (t) => {
  const root = sharedData(t, 'coco128');
  if (!root) return;
  const ann = join(root, 'annotations', 'instances_coco128.json');
  assert.equal(await assertCocoYoloAgree(ann, join(root, 'labels'), join(root, 'images')), 929);
  const coco = readCocoDataset(ann);
  const dir = join(tempDir(), 'yolo');
  assert.equal((await writeYoloDir(coco, dir)).skipped, 10);
  const back = await readYoloDataset(dir, join(root, 'images'));
  assert.equal(assertSameObjects(coco, back, 1e-6, (i, j) => !coco.images[i].iscrowd[j]), 929);
});
