import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCocoDataset, writeCocoDataset } from '../../src/data/coco.js';
import { ClassIndex } from '../../src/data/dataset.js';
import { VOC_CLASSES, parseVocXml, readVocDir, writeVocDir } from '../../src/data/voc.js';
import { packageRoot } from '../../src/util/paths.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { parseVocXmlObjects } from '../../src/eval/voc-io.js';
import { sharedData } from '../helpers/shared.js';
import { assertSameObjects, tempDir } from './roundtrip-helpers.js';

const fixtures = join(packageRoot(), 'test', 'fixtures', 'data');

test('VOC read: coordinates as they are by default, the devkit\'s 1-based pixels with pixelOffset 1; flags kept', () => {
  const d = readVocDir(join(fixtures, 'voc'));
  assert.deepEqual(d.classNames, VOC_CLASSES);
  const [a, b] = d.images;
  assert.equal(a.file, '2007_000027.jpg');
  assert.deepEqual([a.width, a.height], [486, 500]);
  // <xmin>174</xmin><ymin>101</ymin><xmax>349</xmax><ymax>351</ymax>, person
  assert.deepEqual(Array.from(a.boxes), [174, 101, 349, 351]);
  assert.equal(d.classNames[a.labels[0]], 'person');
  // 2007_000129: second and third bicycles are truncated and difficult.
  assert.deepEqual(Array.from(b.difficult.subarray(0, 3)), [0, 1, 1]);
  assert.deepEqual(Array.from(b.truncated.subarray(0, 3)), [0, 1, 1]);
  assert.deepEqual(Array.from(b.boxes.subarray(8, 12)), [1, 144, 67, 436]);
  // Devkit reading: x1 = xmin − 1, so the width is xmax − xmin + 1 (175 × 251 for the person).
  const devkit = readVocDir(join(fixtures, 'voc'), { pixelOffset: 1 });
  assert.deepEqual(Array.from(devkit.images[0].boxes), [173, 100, 349, 351]);
  assert.deepEqual(Array.from(devkit.images[1].boxes.subarray(8, 12)), [0, 143, 67, 436]);
});

test('COCO → VOC → COCO keeps every box (to 1e-6 px), class and crowd flag on the fixture, for both pixel conventions', async () => {
  const coco = readCocoDataset(join(fixtures, 'coco128', 'instances_subset.json'));
  for (const pixelOffset of [0, 1] as const) {
    const dir = tempDir();
    await writeVocDir(coco, join(dir, 'voc'), { pixelOffset });
    assert.equal(readdirSync(join(dir, 'voc')).length, 3);
    const back = readVocDir(join(dir, 'voc'), { classNames: coco.classNames, pixelOffset });
    assert.equal(assertSameObjects(coco, back), 32);
    coco.images.forEach((im, i) => assert.deepEqual(back.images[i].iscrowd, im.iscrowd));
    writeCocoDataset(back, join(dir, 'back.json'));
    assertSameObjects(coco, readCocoDataset(join(dir, 'back.json')), 0);
  }
});

test('voc_toy_cats: the VOC XML files read as the same boxes as the published COCO version of the set', (t) => {
  const root = sharedData(t, 'voc_toy_cats');
  if (!root) return;
  const voc = readVocDir(join(root, 'gts_vocpascal_format'), { classNames: ['cat'] });
  const coco = readCocoDataset(join(root, 'gts_coco_format', 'toy_example_coco.JSON'));
  const byFile = new Map(voc.images.map((im) => [im.file, im]));
  const ordered = { ...voc, images: coco.images.map((im) => byFile.get(im.file)!) };
  assert.equal(assertSameObjects(coco, ordered, 0), coco.images.reduce((s, im) => s + im.labels.length, 0));
});

test('VOC bad input: malformed XML names the line; bad fields name the object', () => {
  const text = readFileSync(join(fixtures, 'voc', '2007_000027.xml'), 'utf8');
  const parse = (t: string, classes = new ClassIndex()) => () => parseVocXml(t, 'a.xml', classes);
  assert.throws(parse(text.replace('</bndbox>', '</bndbx>')), /a\.xml: malformed XML at line 2[0-9], column \d+/);
  assert.throws(parse(text.slice(0, 300)), /a\.xml: malformed XML at line/);
  assert.throws(parse(text.replace('<xmax>349</xmax>', '<xmax>3x9</xmax>')), /a\.xml: object\[0\]\.bndbox\.xmax: '3x9' is not a finite number/);
  assert.throws(parse(text.replace('<ymin>101</ymin>', '')), /a\.xml: object\[0\]\.bndbox\.ymin: is missing/);
  assert.throws(parse(text.replace('<xmax>349</xmax>', '<xmax>900</xmax>')), /a\.xml: object\[0\]\.bndbox: box .* lies outside the 486×500 image/);
  assert.throws(parse(text.replace('<width>486</width>', '')), /a\.xml: size\.width: is missing/);
  assert.throws(parse(text, new ClassIndex(['cat', 'dog'], false)), /a\.xml: object\[0\]\.name: unknown class name "person"/);
});

test('VOC hostile XML: DOCTYPE, entities, deep nesting, nested objects, hex numbers → one-line input errors, same in both readers', () => {
  const text = readFileSync(join(fixtures, 'voc', '2007_000027.xml'), 'utf8');
  const cases: [string, RegExp][] = [
    ['<!DOCTYPE annotation [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + text.replace('<name>person</name>', '<name>&x;</name>'), /DOCTYPE and ENTITY declarations are not supported/],
    ['<!DOCTYPE a "b>' + text, /DOCTYPE and ENTITY/],
    ['<!DOCTYPE a><!DOCTYPE b>' + text, /DOCTYPE and ENTITY/],
    ['<annotation>' + '<a>'.repeat(100_000) + '</a>'.repeat(100_000) + '</annotation>', /elements nest deeper than 32 levels/],
    [text.replace('</object>', '<object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></object>'), /object\[0\]: holds a nested <object>/],
    [text.replace('<width>486</width>', '<width>0x1F4</width>'), /size\.width: '0x1F4' is not a finite number/],
    [text.replace('<xmin>174</xmin>', '<xmin>Infinity</xmin>'), /bndbox\.xmin: 'Infinity' is not a finite number/],
    [text.replace('<difficult>0</difficult>', '<difficult>2</difficult>'), /difficult: must be 0 or 1/],
  ];
  for (const [xml, pattern] of cases) {
    for (const read of [() => parseVocXml(xml, 'h.xml', new ClassIndex()), () => parseVocXmlObjects(xml, 'h.xml')]) {
      assert.throws(read, (err: unknown) => err instanceof DetsegInputError && /^h\.xml: /.test(err.message) && pattern.test(err.message) && !err.message.includes('\n'), String(pattern));
    }
  }
});

test('a VOC write into a folder fails atomically: nothing is left when one image is bad', async () => {
  const d = readVocDir(join(fixtures, 'voc'));
  d.images[1].boxes[2] = 10_000;
  const dir = tempDir();
  await assert.rejects(writeVocDir(d, join(dir, 'out')), /images\[1\] \(2007_000129\.jpg\)\.objects\[0\]: box .* lies outside/);
  assert.deepEqual(readdirSync(dir), []);
  writeFileSync(join(dir, 'x'), '');
});

test('VOC2012 100 images: per-class object counts equal a count of <name> elements; VOC → COCO → VOC is exact', async (t) => {
  const gts = sharedData(t, 'voc2012_100', 'gts', 'pascalvoc_format');
  if (!gts) return;
  const d = readVocDir(gts);
  assert.equal(d.images.length, 100);
  // Reference: count `<name>X</name>` directly under <object> by a plain text scan of every file.
  const expected = new Map<string, number>();
  let difficult = 0;
  for (const f of readdirSync(gts)) {
    const text = readFileSync(join(gts, f), 'utf8');
    for (const m of text.matchAll(/<object>\s*<name>([^<]+)<\/name>/g)) expected.set(m[1], (expected.get(m[1]) ?? 0) + 1);
    difficult += [...text.matchAll(/<difficult>1<\/difficult>/g)].length;
  }
  const got = new Map<string, number>();
  for (const im of d.images) for (const l of im.labels) got.set(d.classNames[l], (got.get(d.classNames[l]) ?? 0) + 1);
  assert.deepEqual(new Map([...got].sort()), new Map([...expected].sort()));
  assert.equal(d.images.reduce((s, im) => s + im.difficult.reduce((a, b) => a + b, 0), 0), difficult);
  const dir = tempDir();
  writeCocoDataset(d, join(dir, 'voc.json'));
  const viaCoco = readCocoDataset(join(dir, 'voc.json'));
  await writeVocDir(viaCoco, join(dir, 'voc'));
  const back = readVocDir(join(dir, 'voc'));
  assertSameObjects(d, back, 0);
  d.images.forEach((im, i) => {
    assert.deepEqual(back.images[i].difficult, im.difficult);
    assert.deepEqual(back.images[i].truncated, im.truncated);
  });
});

test('coco128: COCO → VOC → COCO keeps all 939 boxes to 1e-6 px and every class', async (t) => {
  const ann = sharedData(t, 'coco128', 'annotations', 'instances_coco128.json');
  if (!ann) return;
  const coco = readCocoDataset(ann);
  const dir = tempDir();
  await writeVocDir(coco, join(dir, 'voc'));
  writeCocoDataset(readVocDir(join(dir, 'voc'), { classNames: coco.classNames }), join(dir, 'back.json'));
  const back = readCocoDataset(join(dir, 'back.json'));
  assert.equal(assertSameObjects(coco, back), 939);
});
