import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readCocoPanoptic } from '../../src/data/coco-panoptic.js';
import { decodeImage } from '../../src/data/images.js';
import { initEngine } from '../../src/engine/setup.js';
import { evaluatePanoptic } from '../../src/eval/panoptic.js';
import { PanopticModel } from '../../src/models/panoptic/panoptic-model.js';
import { runCli } from '../helpers/cli.js';

/**
 * `detseg predict panoptic` writes the shipped panoptic model's output as a COCO panoptic set that
 * `detseg eval panoptic` reads: its PNGs decode to exactly the maps the model gives in process, and the
 * PQ of the files equals the PQ computed on the in-memory maps.
 */
test('predict panoptic → eval panoptic on 4 synthetic images: the files hold the in-process maps and give the same PQ', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-predict-panoptic-'));
  const gt = join(dir, 'gt');
  const out = join(dir, 'pred');
  assert.equal(runCli(['synth', '--panoptic', '--out', gt, '--count', '4', '--seed', '2']).code, 0);
  const r = runCli(['predict', 'panoptic', '--input', join(gt, 'images'), '--image-ids', join(gt, 'panoptic.json'), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /4 panoptic image\(s\)/);
  const jsonOut = join(dir, 'pq.json');
  const e = runCli(['eval', 'panoptic', '--gt-json', join(gt, 'panoptic.json'), '--gt-dir', join(gt, 'panoptic'), '--pred-json', join(out, 'panoptic.json'), '--pred-dir', join(out, 'panoptic'), '--json', jsonOut]);
  assert.equal(e.code, 0, e.stderr);
  const fromFiles = JSON.parse(readFileSync(jsonOut, 'utf8'));

  await initEngine();
  const model = PanopticModel.load();
  const truth = await readCocoPanoptic(join(gt, 'panoptic.json'), join(gt, 'panoptic'));
  const written = await readCocoPanoptic(join(out, 'panoptic.json'), join(out, 'panoptic'), truth.categories);
  const frames = [];
  try {
    for (const im of truth.images) {
      const rgb = await decodeImage(join(gt, 'images', im.fileName));
      const [p] = model.predict([rgb.data], rgb.height, rgb.width);
      const file = written.images.find((w) => w.imageId === im.imageId)!;
      assert.deepEqual(file.ids, p.ids, `image ${im.imageId}: PNG ids`);
      assert.deepEqual(file.segments.map((s) => [s.id, s.category_id, s.area]), p.segments.map((s) => [s.id, s.category_id, s.area]));
      frames.push({ imageId: im.imageId, width: rgb.width, height: rgb.height, ids: p.ids, segments: p.segments });
    }
  } finally {
    model.dispose();
  }
  const inProcess = evaluatePanoptic(truth.images, frames, truth.categories);
  assert.deepEqual(fromFiles.All, inProcess.All);
  assert.deepEqual(fromFiles.Things, inProcess.Things);
  assert.deepEqual(fromFiles.Stuff, inProcess.Stuff);
});

test('predict panoptic refuses an image whose sides are not multiples of 8 and an image missing from --image-ids, writing nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-predict-panoptic-bad-'));
  const odd = join(dir, 'odd.png');
  writeFileSync(odd, await sharp({ create: { width: 20, height: 16, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png().toBuffer());
  const r = runCli(['predict', 'panoptic', '--input', odd, '--out', join(dir, 'out')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /odd\.png.*20×16: height and width must be multiples of 8/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.ok(!existsSync(join(dir, 'out')));
  const ok = join(dir, 'ok.png');
  writeFileSync(ok, await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png().toBuffer());
  const ids = join(dir, 'ids.json');
  writeFileSync(ids, JSON.stringify({ images: [{ id: 1, file_name: 'other.png' }] }));
  const m = runCli(['predict', 'panoptic', '--input', ok, '--image-ids', ids, '--out', join(dir, 'out')]);
  assert.equal(m.code, 1);
  assert.match(m.stderr, /ids\.json.*no entry for 'ok\.png'/);
  assert.ok(!existsSync(join(dir, 'out')));
});
