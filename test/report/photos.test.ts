import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ReportContext } from '../../src/report/report.js';
import { photosSection, shippedPhotos } from '../../src/report/sections/photos.js';
import { assetsDir } from '../../src/util/paths.js';

test('real photographs: every shipped photo is drawn at its own size, with its source and licence in the caption', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-photos-'));
  try {
    const ctx = new ReportContext(dir, { retrain: false, quick: true, log: () => {} });
    const section = await photosSection(ctx);
    const photos = shippedPhotos();
    assert.equal(photos.length, 3);
    for (const p of photos) {
      assert.ok(['CC BY 2.0 (Attribution License)', 'No known copyright restrictions'].includes(p.license), p.license);
      assert.ok(section.html.includes(p.source), `caption names ${p.source}`);
      const figure = join(dir, `photo-mask-rcnn-${p.cocoId}.png`);
      assert.ok(existsSync(figure));
      const [drawn, photo] = await Promise.all([sharp(readFileSync(figure)).metadata(), sharp(assetsDir('photos', p.file)).metadata()]);
      assert.deepEqual([drawn.width, drawn.height], [photo.width, photo.height]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
