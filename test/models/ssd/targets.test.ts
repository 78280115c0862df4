import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ssdMatch, ssdTargets, SSD_BOX_CODER } from '../../../src/models/ssd/targets.js';

test('SSD matching: IoU > 0.5 matches, and each ground truth keeps its best default box whatever the IoU', () => {
  const defaults = Float32Array.of(0, 0, 10, 10, 0, 0, 20, 20, 50, 50, 60, 60, 52, 52, 62, 62);
  // gt 0 vs d0: 100/120 = 0.83 (match), vs d1: 120/400 = 0.3 (no); gt 1 [48,48,70,70] vs d2: 100/484 = 0.21 and d3: 100/484: best is the first, d2
  const gt = Float32Array.of(0, 0, 10, 12, 48, 48, 70, 70);
  assert.deepEqual([...ssdMatch(defaults, gt)], [0, -1, 1, -1]);
  assert.deepEqual([...ssdMatch(defaults, new Float32Array(0))], [-1, -1, -1, -1]);
});

test('SSD targets: labels of the matches, offsets encoded with variances 0.1 / 0.2 (the paper\'s code)', () => {
  const defaults = Float32Array.of(0, 0, 10, 10, 0, 0, 20, 20);
  const t = ssdTargets(defaults, { boxes: Float32Array.of(1, 0, 11, 12), labels: Int32Array.of(3) });
  assert.deepEqual([...t.labels], [3, 0]);
  assert.equal(t.numPositive, 1);
  // d0 centre (5, 5) 10×10; gt centre (6, 6) 10×12: ((6−5)/10/0.1, (6−5)/10/0.1, log(10/10)/0.2, log(12/10)/0.2)
  const expected = [1, 1, 0, Math.log(1.2) / 0.2];
  expected.forEach((v, k) => assert.ok(Math.abs(t.deltas[k] - v) < 1e-5, `delta ${k}: ${t.deltas[k]} vs ${v}`));
  assert.deepEqual([...t.deltas.subarray(4)], [0, 0, 0, 0]);
  assert.deepEqual(SSD_BOX_CODER.weights, [10, 10, 5, 5]);
});
