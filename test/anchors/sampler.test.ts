import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BalancedSampler } from '../../src/anchors/sampler.js';
import { mulberry32, shuffleInPlace } from '../../src/util/random.js';
import { DetsegInputError } from '../../src/util/errors.js';

function labelsWith(pos: number, neg: number, ignored: number, seed: number): Int8Array {
  const labels = new Int8Array([...Array(pos).fill(1), ...Array(neg).fill(0), ...Array(ignored).fill(-1)]);
  const random = mulberry32(seed);
  return shuffleInPlace(labels, random);
}

test('counts: min(256·0.5, #pos) positives, the rest negatives, never ignored ones, no repeats', () => {
  for (const [pos, neg, expPos, expNeg] of [[500, 5000, 128, 128], [20, 5000, 20, 236], [20, 100, 20, 100], [0, 0, 0, 0], [300, 10, 128, 10]]) {
    const labels = labelsWith(pos, neg, 50, pos + neg);
    const { positive, negative } = new BalancedSampler({ seed: 1 }).sample(labels);
    assert.equal(positive.length, expPos, `positives of ${pos}/${neg}`);
    assert.equal(negative.length, expNeg, `negatives of ${pos}/${neg}`);
    for (const i of positive) assert.equal(labels[i], 1);
    for (const i of negative) assert.equal(labels[i], 0);
    assert.equal(new Set(positive).size, positive.length);
    assert.equal(new Set(negative).size, negative.length);
    for (let k = 1; k < positive.length; k++) assert.ok(positive[k] > positive[k - 1]);
  }
  const custom = new BalancedSampler({ batchSizePerImage: 10, positiveFraction: 0.25 }).sample(labelsWith(100, 100, 0, 3));
  assert.deepEqual([custom.positive.length, custom.negative.length], [2, 8]);
});

test('seeded: same seed, same draw; successive draws differ; draws are uniform (χ² bound)', () => {
  const labels = labelsWith(40, 400, 0, 7);
  const a = new BalancedSampler({ seed: 42, batchSizePerImage: 16 });
  const b = new BalancedSampler({ seed: 42, batchSizePerImage: 16 });
  const first = a.sample(labels);
  assert.deepEqual(first, b.sample(labels));
  assert.notDeepEqual(first.positive, a.sample(labels).positive);
  // 8 of 40 positives per draw: over 5000 draws each is chosen 1000 times in expectation
  const counts = new Map<number, number>();
  for (let d = 0; d < 5000; d++) for (const i of a.sample(labels).positive) counts.set(i, (counts.get(i) ?? 0) + 1);
  assert.equal(counts.size, 40);
  let chi2 = 0;
  for (const c of counts.values()) chi2 += (c - 1000) ** 2 / 1000;
  assert.ok(chi2 < 80, `χ² = ${chi2} with 39 degrees of freedom`); // p ≈ 1e-4 at 80
});

test('BalancedSampler rejects bad labels and options', () => {
  assert.throws(() => new BalancedSampler().sample([1, 0, 2]), (e) => e instanceof DetsegInputError && /labels: label 2 is 2/.test(e.message));
  assert.throws(() => new BalancedSampler({ positiveFraction: 1.5 }), (e) => e instanceof DetsegInputError && /positiveFraction/.test(e.message));
  assert.throws(() => new BalancedSampler({ batchSizePerImage: -1 }), (e) => e instanceof DetsegInputError && /batchSizePerImage/.test(e.message));
});
