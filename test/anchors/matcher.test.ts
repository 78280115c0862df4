import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BELOW_LOW_THRESHOLD as NEG, BETWEEN_THRESHOLDS as IGN, Matcher, matchLabels } from '../../src/anchors/matcher.js';
import { boxIou } from '../../src/boxes/iou.js';
import { randomBoxes } from '../../src/boxes/random.js';
import { mulberry32 } from '../../src/util/random.js';
import { DetsegInputError } from '../../src/util/errors.js';

test('thresholds: ≥ 0.7 positive, < 0.3 negative, between ignored (hand-worked)', () => {
  // 2 ground truths × 5 predictions
  const q = [
    0.9, 0.5, 0.1, 0.7, 0.3,
    0.2, 0.6, 0.0, 0.75, 0.29,
  ];
  const strict = new Matcher({ allowLowQualityMatches: false });
  assert.deepEqual(Array.from(strict.match(q, 2, 5)), [0, IGN, NEG, 1, IGN]);
  assert.deepEqual(Array.from(matchLabels(strict.match(q, 2, 5))), [1, -1, 0, 1, -1]);
});

test('low-quality matches: each ground truth’s best prediction(s), ties included, get their argmax match back', () => {
  // gt 0 overlaps nothing well: its best, 0.4, is shared by predictions 1 and 2 (a tie) → both matched.
  // gt 1's best is prediction 3 (0.5), but prediction 3 overlaps gt 2 more (0.6): torchvision restores
  // its argmax, gt 2, so gt 1 ends with no match of its own.
  const q = [
    0.1, 0.4, 0.4, 0.0,
    0.0, 0.1, 0.0, 0.5,
    0.0, 0.0, 0.0, 0.6,
  ];
  assert.deepEqual(Array.from(new Matcher({ allowLowQualityMatches: false }).match(q, 3, 4)), [NEG, IGN, IGN, IGN]);
  assert.deepEqual(Array.from(new Matcher().match(q, 3, 4)), [NEG, 0, 0, 2]);
});

test('low-quality matches: a ground truth overlapping nothing restores every zero-quality prediction (torchvision behaviour)', () => {
  const q = [
    0.8, 0.0, 0.0,
    0.0, 0.0, 0.0,
  ];
  assert.deepEqual(Array.from(new Matcher().match(q, 2, 3)), [0, 0, 0]);
});

/** The matcher's rules written out per prediction, with explicit lists (reference). */
function naiveMatch(q: Float32Array, m: number, n: number, high: number, low: number, allowLow: boolean): number[] {
  const out: number[] = [];
  const argmax: number[] = [];
  for (let j = 0; j < n; j++) {
    const column = Array.from({ length: m }, (_, g) => q[g * n + j]);
    const best = Math.max(...column);
    argmax.push(column.indexOf(best));
    out.push(best >= high ? column.indexOf(best) : best >= low ? IGN : NEG);
  }
  if (allowLow) {
    for (let g = 0; g < m; g++) {
      const row = Array.from(q.subarray(g * n, (g + 1) * n));
      const best = Math.max(...row);
      row.forEach((v, j) => { if (v === best) out[j] = argmax[j]; });
    }
  }
  return out;
}

test('Matcher equals the rules written out, on IoU of random ground truths and anchors (with tied values)', () => {
  const random = mulberry32(3);
  for (let trial = 0; trial < 20; trial++) {
    const m = 1 + Math.floor(random() * 6), n = 1 + Math.floor(random() * 200);
    const q = trial % 2 === 0
      ? boxIou(randomBoxes(m, 100 + trial, { extent: 200, maxSize: 120 }), randomBoxes(n, 200 + trial, { extent: 200, maxSize: 120 }))
      : Float32Array.from({ length: m * n }, () => Math.floor(random() * 10) / 10); // many ties
    for (const allow of [false, true]) {
      for (const [high, low] of [[0.7, 0.3], [0.5, 0.5], [0.5, 0.4]]) {
        assert.deepEqual(Array.from(new Matcher({ highThreshold: high, lowThreshold: low, allowLowQualityMatches: allow }).match(q, m, n)), naiveMatch(q, m, n, high, low, allow));
      }
    }
  }
});

test('Matcher: no ground truth, no prediction, bad input', () => {
  assert.deepEqual(Array.from(new Matcher().match([], 0, 3)), [NEG, NEG, NEG]);
  assert.equal(new Matcher().match([], 2, 0).length, 0);
  assert.throws(() => new Matcher().match([0.5, 0.1], 2, 2), (e) => e instanceof DetsegInputError && /quality: expected 2×2/.test(e.message));
  assert.throws(() => new Matcher().match([0.5, NaN], 1, 2), (e) => e instanceof DetsegInputError && /prediction 1 is not finite/.test(e.message));
  assert.throws(() => new Matcher({ highThreshold: 0.3, lowThreshold: 0.7 }), (e) => e instanceof DetsegInputError && /lowThreshold/.test(e.message));
  assert.throws(() => new Matcher({ highThreshold: 1.7 }), (e) => e instanceof DetsegInputError && /highThreshold/.test(e.message));
});
