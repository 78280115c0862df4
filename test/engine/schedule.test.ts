import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learningRateAt } from '../../src/engine/schedule.js';

// Hand-worked values.
test('constant schedule with linear warm-up: 0.25, 0.5, 0.75, 1 × base then base', () => {
  const opts = { base: 0.1, schedule: { kind: 'constant' as const }, totalSteps: 10, warmupSteps: 4 };
  const lrs = [0, 1, 2, 3, 4, 9].map((s) => learningRateAt(s, opts));
  const expected = [0.025, 0.05, 0.075, 0.1, 0.1, 0.1];
  lrs.forEach((lr, i) => assert.ok(Math.abs(lr - expected[i]) < 1e-15, `step ${i}: ${lr} vs ${expected[i]}`));
});

test('step schedule: ×0.1 every 3 steps', () => {
  const opts = { base: 1, schedule: { kind: 'step' as const, everySteps: 3, gamma: 0.1 }, totalSteps: 10 };
  assert.deepEqual([0, 2, 3, 5, 6].map((s) => Number(learningRateAt(s, opts).toPrecision(12))), [1, 1, 0.1, 0.1, 0.01]);
});

test('cosine schedule: base at the first step, the mean at mid-run, minLr at the last step', () => {
  const opts = { base: 1, schedule: { kind: 'cosine' as const, minLr: 0.1 }, totalSteps: 11 };
  assert.equal(learningRateAt(0, opts), 1);
  assert.ok(Math.abs(learningRateAt(5, opts) - 0.55) < 1e-12); // cos(π/2) = 0 → (1 + 0.1) / 2
  assert.ok(Math.abs(learningRateAt(10, opts) - 0.1) < 1e-12);
  // cos(π/10·2)= cos(π/5): 0.1 + 0.45·(1 + 0.809017) = 0.914058
  assert.ok(Math.abs(learningRateAt(2, opts) - (0.1 + 0.45 * (1 + Math.cos(Math.PI / 5)))) < 1e-12);
});

test('a non-positive base rate is refused', () => {
  assert.throws(() => learningRateAt(0, { base: 0, schedule: { kind: 'constant' }, totalSteps: 1 }), /positive/);
});
