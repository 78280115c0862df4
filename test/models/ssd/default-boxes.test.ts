import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ssdDefaultBoxes, ssdScales } from '../../../src/models/ssd/default-boxes.js';

const near = (got: ArrayLike<number>, expected: number[], what: string) => expected.forEach((v, k) => assert.ok(Math.abs(got[k] - v) < 1e-3, `${what}[${k}]: ${got[k]} vs ${v}`));

test('SSD scales: s_k evenly from s_min to s_max (SSD300: m = 6 → 0.2, 0.34, 0.48, 0.62, 0.76, 0.9), then 1', () => {
  near(ssdScales(6, 0.2, 0.9), [0.2, 0.34, 0.48, 0.62, 0.76, 0.9, 1], 'm = 6');
  near(ssdScales(2, 0.2, 0.9), [0.2, 0.9, 1], 'm = 2');
  near(ssdScales(1, 0.2, 0.9), [0.2, 1], 'm = 1');
});

/**
 * Hand-computed: a 100×100 image, a 2×2 map and a 1×1 map (m = 2: s_1 = 0.2, s_2 = 0.9, s_3 = 1),
 * aspect ratios {1, 2}: per location a = 1 (s × s), a = 2 (s√2 × s/√2) and the extra √(s_k s_{k+1}) box.
 * Count 2·2·3 + 1·1·3 = 15. Location (row 0, column 1) of the 2×2 map is centred at ((1 + ½)/2, (0 + ½)/2)
 * = (75, 25) px: a = 1 is 20×20 → [65, 15, 85, 35]; a = 2 is 28.284×14.142 → [60.858, 17.929, 89.142,
 * 32.071]; the extra box √0.18 = 0.42426 → 42.426 px → [53.787, 3.787, 96.213, 46.213]. The 1×1 map's
 * location is centred at (50, 50): a = 1 → [5, 5, 95, 95]; a = 2 is 127.279×63.640 → [−13.640, 18.180,
 * 113.640, 81.820]; extra √0.9 = 0.94868 → [2.566, 2.566, 97.434, 97.434].
 */
test('SSD default boxes of a small configuration: count, order and coordinates by hand', () => {
  const boxes = ssdDefaultBoxes([[2, 2], [1, 1]], 100, 100, { sMin: 0.2, sMax: 0.9, aspectRatios: [1, 2] });
  assert.equal(boxes.length, 4 * 15);
  near(boxes.subarray(4 * 3, 4 * 6), [65, 15, 85, 35, 60.858, 17.929, 89.142, 32.071, 53.787, 3.787, 96.213, 46.213], 'map 0, location (0, 1)');
  near(boxes.subarray(4 * 0, 4 * 1), [15, 15, 35, 35], 'map 0, location (0, 0), a = 1');
  near(boxes.subarray(4 * 9, 4 * 10), [65, 65, 85, 85], 'map 0, location (1, 1), a = 1');
  near(boxes.subarray(4 * 12, 4 * 15), [5, 5, 95, 95, -13.640, 18.180, 113.640, 81.820, 2.566, 2.566, 97.434, 97.434], 'map 1');
});

test('SSD default boxes: the paper\'s five ratios plus the extra box (6 per location), sizes relative to each image side', () => {
  assert.equal(ssdDefaultBoxes([[4, 4], [2, 2]], 64, 64).length, 4 * (16 + 4) * 6);
  // a 200×100 image, one 1×2 map (m = 1: s = 0.2): location (0, 1) centred at (150, 50), a = 1 → 40×20 px
  const wide = ssdDefaultBoxes([[1, 2]], 200, 100, { aspectRatios: [1, 3] });
  near(wide.subarray(4 * 3, 4 * 5), [130, 40, 170, 60, 150 - 20 * Math.sqrt(3), 50 - 10 / Math.sqrt(3), 150 + 20 * Math.sqrt(3), 50 + 10 / Math.sqrt(3)], 'wide image');
});
