import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heatmapOverlay } from '../../src/viz/heatmap-overlay.js';

test('heatmap overlay: a 2×2 map on a black 4×4 image, bilinear between cell centres, by hand', () => {
  const out = heatmapOverlay(new Uint8Array(4 * 4 * 3), 4, 4, Float32Array.of(2, 0, 0, 0), 2, 2);
  // pixel x maps to map column (x + ½)/2 − ½, clamped: −¼ → 0, ¼, ¾, 1¼ → 1; the weight of cell (0, 0) is (1 − f) per axis
  const weight = [1, 0.75, 0.25, 0];
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      const t = weight[x] * weight[y];
      const want = [Math.round(255 * 0.8 * Math.min(1, 2 * t)), Math.round(255 * 0.8 * Math.max(0, 2 * t - 1)), 0];
      assert.deepEqual(Array.from(out.subarray(3 * (4 * y + x), 3 * (4 * y + x) + 3)), want, `pixel ${x}, ${y}`);
    }
  }
});

test('heatmap overlay: the image shows through at a third where the map is zero; bad sizes are refused', () => {
  const rgb = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => 10 * i);
  const out = heatmapOverlay(rgb, 2, 3, new Float32Array(1), 1, 1);
  assert.deepEqual(Array.from(out), Array.from(rgb, (v) => Math.round(v / 3)));
  assert.throws(() => heatmapOverlay(rgb, 3, 3, new Float32Array(1), 1, 1), RangeError);
  assert.throws(() => heatmapOverlay(rgb, 2, 3, new Float32Array(2), 1, 1), RangeError);
});
