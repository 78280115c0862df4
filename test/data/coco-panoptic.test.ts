import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readCocoPanoptic, readCocoPanopticJson, readPanopticCategories, readPanopticPng, writeCocoPanoptic, type PanopticImageToWrite } from '../../src/data/coco-panoptic.js';
import { rgbToSegmentIds, segmentExtents, segmentIdsToRgb, type PanopticCategory } from '../../src/data/coco-panoptic-format.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { sharedData } from '../helpers/shared.js';

const CATS: PanopticCategory[] = [
  { id: 1, name: 'person', isthing: 1, color: [220, 20, 60] },
  { id: 2, name: 'sky', isthing: 0 },
];

test('the colour code: id = R + 256·G + 256²·B, both ways (hand-worked: 3937500 = 0x3C14DC is (220, 20, 60))', () => {
  const ids = rgbToSegmentIds(Uint8Array.from([220, 20, 60, 0, 0, 0, 255, 255, 255, 1, 2, 3]), 2, 2);
  assert.deepEqual(Array.from(ids), [3937500, 0, 16777215, 1 + 2 * 256 + 3 * 65536]);
  assert.deepEqual(Array.from(segmentIdsToRgb(ids)), [220, 20, 60, 0, 0, 0, 255, 255, 255, 1, 2, 3]);
  // RGBA input: alpha ignored.
  assert.deepEqual(Array.from(rgbToSegmentIds(Uint8Array.from([1, 0, 0, 9, 0, 1, 0, 0]), 2, 1, 4)), [1, 256]);
  assert.throws(() => segmentIdsToRgb(Uint32Array.from([1 << 24])), DetsegInputError);
});

test('segmentExtents: areas and COCO boxes [x, y, w, h] with w = x_max − x_min + 1 (hand-worked 4×3 map)', () => {
  const ids = Uint32Array.from([0, 5, 5, 0, 7, 5, 0, 0, 7, 7, 7, 0]);
  const e = segmentExtents(ids, 4, 3);
  assert.deepEqual([...e.keys()].sort(), [5, 7]);
  assert.deepEqual(e.get(5), { area: 3, bbox: [1, 0, 2, 2] });
  assert.deepEqual(e.get(7), { area: 4, bbox: [0, 1, 3, 2] });
});

test('reads the panopticapi sample: every segment\'s area and bbox recomputed from the PNGs equal the JSON\'s', async (t) => {
  const dir = sharedData(t, 'panoptic_fixture');
  if (dir === undefined) return;
  const set = await readCocoPanoptic(join(dir, 'panoptic_examples.json'), join(dir, 'panoptic_examples'));
  assert.equal(set.categories.length, 133);
  assert.deepEqual(set.images.map((im) => [im.imageId, im.width, im.height]), [[142238, 640, 427], [439180, 640, 360]]);
  let segments = 0;
  let crowd = 0;
  for (const im of set.images) {
    const extents = segmentExtents(im.ids, im.width, im.height);
    assert.equal(extents.size, im.segments.length);
    for (const s of im.segments) {
      segments++;
      crowd += s.iscrowd;
      assert.deepEqual(extents.get(s.id), { area: s.area, bbox: s.bbox }, `image ${im.imageId} segment ${s.id}`);
    }
  }
  assert.deepEqual([segments, crowd], [50, 3]);
  // The categories file beside it reads as the same list.
  assert.deepEqual(readPanopticCategories(join(dir, 'panoptic_coco_categories.json')), set.categories);
});

test('write → read round trip: id maps bit for bit, segments_info with computed area and bbox; the panopticapi sample rewritten equals its JSON', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'detseg-panoptic-'));
  const ids = Uint32Array.from([3937500, 3937500, 0, 7, 3937500, 0, 7, 7]);
  const images: PanopticImageToWrite[] = [
    { imageId: 42, width: 4, height: 2, ids, segments: [{ id: 3937500, category_id: 1 }, { id: 7, category_id: 2, iscrowd: 0 }] },
    { imageId: 'street', width: 1, height: 1, ids: Uint32Array.from([16777215]), segments: [{ id: 16777215, category_id: 1, iscrowd: 1 }] },
  ];
  const json = await writeCocoPanoptic(join(out, 'pan.json'), join(out, 'pan'), images, CATS);
  assert.deepEqual(readdirSync(join(out, 'pan')).sort(), ['000000000042.png', 'street.png']);
  assert.deepEqual(json.annotations[0].segments_info, [
    { id: 3937500, category_id: 1, iscrowd: 0, area: 3, bbox: [0, 0, 2, 2] },
    { id: 7, category_id: 2, iscrowd: 0, area: 3, bbox: [2, 0, 2, 2] },
  ]);
  const back = await readCocoPanoptic(join(out, 'pan.json'), join(out, 'pan'));
  assert.deepEqual(Array.from(back.images[0].ids), Array.from(ids));
  assert.deepEqual(back.images[1].segments, [{ id: 16777215, category_id: 1, iscrowd: 1, area: 1, bbox: [0, 0, 1, 1] }]);
  assert.deepEqual(back.json.images, [
    { id: 42, width: 4, height: 2, file_name: '000000000042.jpg' },
    { id: 'street', width: 1, height: 1, file_name: 'street.jpg' },
  ]);
  // The PNG holds the colour code: pixel 0 is (220, 20, 60).
  const raw = await sharp(join(out, 'pan', '000000000042.png')).raw().toBuffer();
  assert.deepEqual(Array.from(raw.subarray(0, 3)), [220, 20, 60]);

  const dir = sharedData(t, 'panoptic_fixture');
  if (dir === undefined) return;
  const sample = await readCocoPanoptic(join(dir, 'panoptic_examples.json'), join(dir, 'panoptic_examples'));
  const rewritten = await writeCocoPanoptic(
    join(out, 'sample.json'),
    join(out, 'sample'),
    sample.images.map((im) => ({ imageId: im.imageId, fileName: im.fileName, width: im.width, height: im.height, ids: im.ids, segments: im.segments })),
    sample.categories,
  );
  const original = JSON.parse(readFileSync(join(dir, 'panoptic_examples.json'), 'utf8'));
  assert.deepEqual(rewritten.annotations, original.annotations);
  const again = await readCocoPanoptic(join(out, 'sample.json'), join(out, 'sample'));
  again.images.forEach((im, i) => assert.ok(Buffer.from(im.ids.buffer).equals(Buffer.from(sample.images[i].ids.buffer)), `image ${im.imageId} ids`));
});

/** Writes a tiny panoptic set (one 4×2 image, id 1 person and id 2 sky) with `mutate` applied to its JSON, and returns its paths. */
async function tinySet(mutate: (json: any) => void = () => {}): Promise<{ json: string; dir: string }> {
  const out = mkdtempSync(join(tmpdir(), 'detseg-panoptic-bad-'));
  const dir = join(out, 'png');
  const ids = Uint32Array.from([1, 1, 0, 2, 1, 0, 2, 2]);
  await writeCocoPanoptic(join(out, 'ok.json'), dir, [{ imageId: 5, width: 4, height: 2, ids, segments: [{ id: 1, category_id: 1 }, { id: 2, category_id: 2 }] }], CATS);
  const json = JSON.parse(readFileSync(join(out, 'ok.json'), 'utf8'));
  mutate(json);
  writeFileSync(join(out, 'set.json'), JSON.stringify(json));
  return { json: join(out, 'set.json'), dir };
}

async function assertRejects(set: Promise<{ json: string; dir: string }>, pattern: RegExp): Promise<void> {
  const { json, dir } = await set;
  await assert.rejects(readCocoPanoptic(json, dir), (e: unknown) => {
    assert.ok(e instanceof DetsegInputError, String(e));
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('bad input: one line naming the file, the image and the segment', async () => {
  const good = await tinySet();
  assert.equal((await readCocoPanoptic(good.json, good.dir)).images[0].segments.length, 2);
  // An id of the JSON absent from the PNG, and an id of the PNG absent from the JSON.
  await assertRejects(tinySet((j) => j.annotations[0].segments_info.push({ id: 9, category_id: 1 })), /set\.json: annotations\[0\]\.segments_info\[2\]: image 5, segment 9: listed in segments_info but absent from the PNG .*000000000005\.png/);
  await assertRejects(tinySet((j) => j.annotations[0].segments_info.pop()), /000000000005\.png: image 5, segment 2: the id is in the PNG but not in segments_info of .*set\.json/);
  await assertRejects(tinySet((j) => (j.annotations[0].segments_info[1].category_id = 77)), /set\.json: annotations\[0\]\.segments_info\[1\]\.category_id: image 5, segment 2: unknown category_id 77/);
  await assertRejects(tinySet((j) => (j.annotations[0].segments_info[1].id = 1)), /set\.json: annotations\[0\]\.segments_info\[1\]\.id: image 5, segment 1: duplicate segment id/);
  await assertRejects(tinySet((j) => (j.annotations[0].segments_info[0].id = 0)), /image 5: segment id must be an integer in 1\.\.16777215 \(0 is void\)/);
  await assertRejects(tinySet((j) => j.annotations.push({ ...j.annotations[0] })), /annotations\[1\]\.image_id: image 5: a second annotation for the same image/);
  await assertRejects(tinySet((j) => (j.annotations[0].file_name = 'gone.png')), /gone\.png: image 5: the segmentation PNG is missing/);
  await assertRejects(tinySet((j) => (j.images[0].width = 5)), /000000000005\.png: image 5: the PNG is 4×2, .*set\.json images says 5×2/);
  await assertRejects(tinySet((j) => (j.categories[1].isthing = 'no')), /set\.json: categories\[1\]\.isthing: category 2: isthing must be 0 or 1/);
  await assertRejects(tinySet((j) => delete j.annotations), /set\.json: annotations: must be a list/);
  // Malformed JSON (the project's JSON reader names line and column).
  const { dir } = await tinySet();
  const truncated = join(dir, '..', 'trunc.json');
  writeFileSync(truncated, '{"annotations": [{"image_id": 5,');
  await assert.rejects(readCocoPanoptic(truncated, dir), /trunc\.json: malformed JSON at line 1/);
  // A missing folder.
  const ok = await tinySet();
  await assert.rejects(readCocoPanoptic(ok.json, join(dir, 'nowhere')), /nowhere: the segmentation folder does not exist/);
});

test('only 8-bit RGB PNGs are segmentations: grey, 16-bit and JPEG files are refused', async () => {
  const out = mkdtempSync(join(tmpdir(), 'detseg-panoptic-png-'));
  const grey = join(out, 'grey.png');
  await sharp(Buffer.from([1, 2, 3, 4]), { raw: { width: 2, height: 2, channels: 1 } }).toColourspace('b-w').png().toFile(grey);
  await assert.rejects(readPanopticPng(grey, 3), /grey\.png: image 3: a segmentation PNG must be 8-bit RGB \(got 1 channel\(s\)/);
  const deep = join(out, 'deep.png');
  await sharp(Buffer.from(new Uint16Array(12).buffer), { raw: { width: 2, height: 2, channels: 3, premultiplied: false } }).toColourspace('rgb16').png().toFile(deep);
  await assert.rejects(readPanopticPng(deep), /deep\.png: a segmentation PNG must be 8-bit RGB/);
  const jpeg = join(out, 'x.jpg');
  await sharp(Buffer.alloc(12), { raw: { width: 2, height: 2, channels: 3 } }).jpeg().toFile(jpeg);
  await assert.rejects(readPanopticPng(jpeg), /x\.jpg: a segmentation must be a PNG, got jpeg/);
  const rgba = join(out, 'rgba.png');
  await sharp(Buffer.from([1, 0, 0, 255, 0, 1, 0, 128]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(rgba);
  assert.deepEqual(Array.from((await readPanopticPng(rgba)).ids), [1, 256]);
});

test('a JSON whose segments name categories unknown to a separate categories list is refused', async () => {
  const { json } = await tinySet();
  assert.doesNotThrow(() => readCocoPanopticJson(json, CATS));
  assert.throws(() => readCocoPanopticJson(json, [CATS[0]]), /image 5, segment 2: unknown category_id 2/);
});
