import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCocoDataset } from '../../src/data/coco.js';
import { parseClassNames } from '../../src/data/convert.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { packageRoot } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';
import { assertSameObjects, tempDir } from './roundtrip-helpers.js';

const fixtures = join(packageRoot(), 'test', 'fixtures', 'data', 'coco128');
const cocoJson = join(fixtures, 'instances_subset.json');

test('detseg convert: ultralytics YOLO labels → COCO → VOC → COCO agree with the original COCO file', () => {
  const dir = tempDir();
  let r = runCli(['convert', '--from', 'yolo', '--to', 'coco', '--in', join(fixtures, 'labels'), '--images', join(fixtures, 'images'), '--out', join(dir, 'y.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /converted 2 images, 31 objects, 80 classes: yolo → coco/);
  r = runCli(['convert', '--from', 'coco', '--to', 'voc', '--in', cocoJson, '--out', join(dir, 'voc')]);
  assert.equal(r.code, 0, r.stderr);
  r = runCli(['convert', '--from', 'voc', '--to', 'coco', '--in', join(dir, 'voc'), '--classes', join(fixtures, 'labels', 'coco128_yolo_names.yaml'), '--out', join(dir, 'v.json')]);
  assert.equal(r.code, 0, r.stderr);
  const original = readCocoDataset(cocoJson);
  assertSameObjects(original, readCocoDataset(join(dir, 'v.json')), 1e-6);
  // The YOLO file's images are only those with an image file (536, 643); boxes agree to the labels' 6 decimals.
  const fromYolo = readCocoDataset(join(dir, 'y.json'));
  const sub = { ...original, images: original.images.slice(1) };
  assertSameObjects(sub, fromYolo, 1e-6 * 500, (i, j) => !sub.images[i].iscrowd[j]);
});

test('detseg convert: a failed conversion writes nothing and prints one line naming the file and line', () => {
  const dir = tempDir();
  cpSync(join(fixtures, 'labels'), join(dir, 'labels'), { recursive: true });
  writeFileSync(join(dir, 'labels', '000000000643.txt'), '73 0.5 0.5 0.1 0.1\n73 0.5 0.5 0.1\n');
  const r = runCli(['convert', '--from', 'yolo', '--to', 'voc', '--in', join(dir, 'labels'), '--images', join(fixtures, 'images'), '--out', join(dir, 'out')]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^detseg: error: .*000000000643\.txt: line 2: expected 5 fields/);
  assert.equal(existsSync(join(dir, 'out')), false);
  assert.deepEqual(readdirSync(dir), ['labels']);
});

test('detseg convert: missing image files, unknown formats and a non-empty output folder are errors', () => {
  const dir = tempDir();
  let r = runCli(['convert', '--from', 'coco', '--to', 'voc', '--in', cocoJson, '--images', join(fixtures, 'images'), '--out', join(dir, 'voc')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /000000000250\.jpg: image file is missing/);
  r = runCli(['convert', '--from', 'pascal', '--to', 'coco', '--in', cocoJson, '--out', join(dir, 'x.json')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--from: unknown format "pascal"/);
  r = runCli(['convert', '--from', 'yolo', '--to', 'coco', '--in', join(fixtures, 'labels'), '--out', join(dir, 'x.json')]);
  assert.match(r.stderr, /--images: yolo labels have no image sizes/);
  writeFileSync(join(dir, 'precious.txt'), 'keep');
  r = runCli(['convert', '--from', 'coco', '--to', 'yolo', '--in', cocoJson, '--out', dir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /output folder holds other files \(precious\.txt\) and would be replaced/);
  assert.ok(existsSync(join(dir, 'precious.txt')));
  r = runCli(['convert', '--from', 'coco', '--to', 'yolo', '--in', cocoJson, '--out', dir, '--overwrite']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(existsSync(join(dir, 'precious.txt')), false);
  assert.ok(existsSync(join(dir, 'data.yaml')));
});

test('convert input checks: --classes naming a missing file, an invalid RLE string, a hex VOC width are errors; nothing is written', () => {
  assert.throws(() => parseClassNames('/no/such/file'), (e: unknown) => e instanceof DetsegInputError && e.message === '/no/such/file: --classes: file does not exist (a list of names is written "a,b,c")');
  assert.throws(() => parseClassNames('names.txt'), /names\.txt: --classes: file does not exist/);
  assert.deepEqual(parseClassNames('cat, dog ,bird'), ['cat', 'dog', 'bird']);
  const dir = tempDir();
  const coco = {
    images: [{ id: 1, width: 4, height: 4, file_name: 'a.jpg' }],
    categories: [{ id: 1, name: 'a' }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 2, 2], area: 4, iscrowd: 1, segmentation: { size: [4, 4], counts: 'a b' } }],
  };
  writeFileSync(join(dir, 'bad-rle.json'), JSON.stringify(coco));
  let r = runCli(['convert', '--from', 'coco', '--to', 'coco', '--in', join(dir, 'bad-rle.json'), '--out', join(dir, 'out.json')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^detseg: error: .*bad-rle\.json: annotations\[0\]\.segmentation\.counts: compressed RLE string has an invalid character " " at 1\n$/);
  coco.annotations[0].segmentation.counts = '0;'; // decodes to runs [0, 11]: 11 ≠ 16 pixels
  writeFileSync(join(dir, 'short-rle.json'), JSON.stringify(coco));
  r = runCli(['convert', '--from', 'coco', '--to', 'coco', '--in', join(dir, 'short-rle.json'), '--out', join(dir, 'out.json')]);
  assert.match(r.stderr, /short-rle\.json: annotations\[0\]\.segmentation\.counts: RLE counts sum to \d+, expected height\*width = 16/);
  mkdirSync(join(dir, 'voc'));
  writeFileSync(join(dir, 'voc', 'a.xml'), '<annotation><size><width>0x1F4</width><height>10</height></size></annotation>');
  r = runCli(['convert', '--from', 'voc', '--to', 'coco', '--in', join(dir, 'voc'), '--out', join(dir, 'out.json')]);
  assert.match(r.stderr, /a\.xml: size\.width: '0x1F4' is not a finite number\n$/);
  assert.equal(existsSync(join(dir, 'out.json')), false);
});

test('detseg convert: an output that cannot be written names --out and the path given, not a temporary name', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'file'), '');
  const out = join(dir, 'file', 'x.json');
  const r = runCli(['convert', '--from', 'coco', '--to', 'coco', '--in', cocoJson, '--out', out]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `detseg: error: ${out}: --out: cannot write the output: a part of the path is not a folder (ENOTDIR)\n`);
  assert.deepEqual(readdirSync(dir), ['file']);
});
