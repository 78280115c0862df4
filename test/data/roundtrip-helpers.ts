import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetectionDataset } from '../../src/data/dataset.js';

/** A fresh temporary folder for one test. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'detseg-data-'));
}

/**
 * Asserts that `after` holds the same images, boxes (to `tolPx`) and class names as `before`, keeping
 * only the objects of `before` for which `keep(image, j)` holds (e.g. not crowd, for YOLO).
 * Returns the number of boxes compared.
 */
export function assertSameObjects(before: DetectionDataset, after: DetectionDataset, tolPx = 1e-6, keep: (imageIndex: number, j: number) => boolean = () => true): number {
  assert.equal(after.images.length, before.images.length, 'image count');
  let compared = 0;
  before.images.forEach((a, i) => {
    const b = after.images[i];
    assert.equal(b.file, a.file, `image ${i} file`);
    assert.equal(b.width, a.width, `${a.file} width`);
    assert.equal(b.height, a.height, `${a.file} height`);
    const kept = [...a.labels.keys()].filter((j) => keep(i, j));
    assert.equal(b.labels.length, kept.length, `${a.file}: object count`);
    kept.forEach((j, k) => {
      assert.equal(after.classNames[b.labels[k]], before.classNames[a.labels[j]], `${a.file} object ${j}: class`);
      for (let q = 0; q < 4; q++) {
        const d = Math.abs(b.boxes[4 * k + q] - a.boxes[4 * j + q]);
        assert.ok(d <= tolPx, `${a.file} object ${j} coordinate ${q}: ${a.boxes[4 * j + q]} became ${b.boxes[4 * k + q]}`);
      }
      compared++;
    });
  });
  return compared;
}
