import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCocoFile } from '../../src/data/coco.js';
import type { CocoRleCompressed } from '../../src/masks/coco-segmentation.js';
import { decodeImage } from '../../src/data/images.js';
import { syntheticCoco } from '../../src/data/synthetic-coco.js';
import { syntheticSample } from '../../src/data/synthetic.js';
import { decodeRle } from '../../src/masks/rle.js';
import { rleFromString } from '../../src/masks/rle-string.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from './roundtrip-helpers.js';

test('detseg synth: same seed → same bytes; the COCO file decodes to the generator\'s masks and images', async () => {
  const dir = tempDir();
  const args = (out: string) => ['synth', '--out', join(dir, out), '--count', '6', '--seed', '42', '--size', '64'];
  for (const out of ['a', 'b']) {
    const r = runCli(args(out));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote 6 images, \d+ objects \(seed 42, 64×64\)/);
  }
  for (const sub of ['images', 'semantic']) {
    assert.deepEqual(readdirSync(join(dir, 'a', sub)), readdirSync(join(dir, 'b', sub)));
    for (const f of readdirSync(join(dir, 'a', sub))) assert.deepEqual(readFileSync(join(dir, 'a', sub, f)), readFileSync(join(dir, 'b', sub, f)), `${sub}/${f}`);
  }
  assert.equal(readFileSync(join(dir, 'a', 'annotations.json'), 'utf8'), readFileSync(join(dir, 'b', 'annotations.json'), 'utf8'));
  const coco = readCocoFile(join(dir, 'a', 'annotations.json'));
  assert.deepEqual(coco.categories.map((c) => c.name), ['circle', 'square', 'triangle']);
  for (let i = 0; i < 6; i++) {
    const s = syntheticSample(42, i, { size: 64 });
    const img = await decodeImage(join(dir, 'a', 'images', coco.images[i].file_name));
    assert.deepEqual(img.data, s.image);
    const anns = coco.annotations.filter((a) => a.image_id === coco.images[i].id);
    assert.equal(anns.length, s.labels.length);
    anns.forEach((a, j) => {
      assert.equal(a.category_id, s.labels[j] + 1);
      assert.deepEqual(a.bbox, [s.boxes[4 * j], s.boxes[4 * j + 1], s.boxes[4 * j + 2] - s.boxes[4 * j], s.boxes[4 * j + 3] - s.boxes[4 * j + 1]]);
      const colMajor = decodeRle(rleFromString((a.segmentation as CocoRleCompressed).counts, 64, 64));
      let area = 0;
      for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) { assert.equal(colMajor[x * 64 + y], s.masks[j][y * 64 + x]); area += s.masks[j][y * 64 + x]; }
      assert.equal(a.area, area);
    });
  }
  assert.deepEqual(syntheticCoco(6, 42, { size: 64 }), coco, 'in-memory ground truth = the file written');
  let r = runCli(['synth', '--out', join(dir, 'c'), '--count', '0']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--count: must be a whole number ≥ 1/);
  // --out replaces an earlier set (a above, again) but never a folder holding other files.
  assert.equal(runCli([...args('a'), '--count', '2']).code, 0);
  assert.equal(readdirSync(join(dir, 'a', 'images')).length, 2);
  r = runCli(['synth', '--out', dir, '--count', '1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /output folder holds other files \(a, b\) and would be replaced/);
  assert.deepEqual(readdirSync(dir).sort(), ['a', 'b']);
});
