import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeImage } from '../../src/data/dataset.js';
import { anchorSizesFromData } from '../../src/pipeline/anchors.js';
import type { DetectionData } from '../../src/pipeline/dataset.js';

function data(sides: number[], width = 100, height = 100, crowd: number[] = []): DetectionData {
  const boxes = sides.flatMap((s) => [0, 0, s, s]);
  const image = makeImage('a.png', width, height, { boxes, labels: sides.map(() => 0), iscrowd: sides.map((_, i) => (crowd.includes(i) ? 1 : 0)) });
  return { source: 'x', format: 'coco', file: 'x.json', classes: ['a'], dataset: { classNames: ['a'], images: [image] }, imagesDir: null, hasMasks: false };
}

test('anchor sizes from box statistics: hand-worked percentiles snapped to powers of √2', () => {
  // sides 10..100: p10 = 20 → 2^4.5 ≈ 22.6 → 23; p50 = 60 → 2^6 = 64; p90 = 100 → 2^6.5 ≈ 90.5 → 91
  assert.deepEqual(anchorSizesFromData(data([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]), 100), [23, 64, 91]);
  // a 200-px-wide image letterboxed to 100 halves every side: p10 = 10 → 2^3.5 ≈ 11.3 → 11; 30 → 2^5 = 32; 50 → 2^5.5 ≈ 45.3 → 45
  assert.deepEqual(anchorSizesFromData(data([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 200, 100), 100), [11, 32, 45]);
  // crowd boxes do not count; one size only: the next ones double
  assert.deepEqual(anchorSizesFromData(data([32, 500], 1000, 1000, [1]), 1000), [32, 64, 128]);
  // no boxes: the defaults
  assert.deepEqual(anchorSizesFromData(data([]), 100), [16, 32, 64]);
});
