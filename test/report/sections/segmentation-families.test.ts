import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colour } from '../../../src/viz/svg.js';
import { paintLabels } from '../../../src/report/sections/segmentation-families.js';

test('paintLabels: background shows the image, class k blends ⅓ image with ⅔ of palette colour k − 1; grey images spread to RGB', () => {
  const grey = { image: Float32Array.of(0, 0.5, 1, 0.2), height: 2, width: 2, channels: 1 };
  const out = paintLabels(grey, Uint8Array.of(0, 1, 0, 2));
  const hex = (css: string) => [1, 3, 5].map((i) => parseInt(css.slice(i, i + 2), 16));
  const [c1, c2] = [hex(colour(0)), hex(colour(1))];
  assert.deepEqual(Array.from(out.subarray(0, 3)), [0, 0, 0]);
  assert.deepEqual(Array.from(out.subarray(3, 6)), c1.map((c) => Math.round(128 / 3 + (2 * c) / 3)));
  assert.deepEqual(Array.from(out.subarray(6, 9)), [255, 255, 255]);
  assert.deepEqual(Array.from(out.subarray(9, 12)), c2.map((c) => Math.round(51 / 3 + (2 * c) / 3)));
  const rgb = { image: Float32Array.of(0.1, 0.2, 0.3), height: 1, width: 1, channels: 3 };
  assert.deepEqual(Array.from(paintLabels(rgb, undefined)), [26, 51, 77]);
});
