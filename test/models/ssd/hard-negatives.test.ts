import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hardNegatives } from '../../../src/models/ssd/hard-negatives.js';
import { mulberry32 } from '../../../src/util/random.js';

/** Naive reference: a negative is kept iff fewer than `keep` negatives outrank it (higher loss, or equal loss and lower index). */
function naiveMining(loss: Float32Array, positive: Uint8Array, ratio: number): Uint8Array {
  const k = loss.length;
  let pos = 0, neg = 0;
  for (let i = 0; i < k; i++) positive[i] ? pos++ : neg++;
  const keep = Math.min(neg, Math.floor(ratio * pos));
  const out = new Uint8Array(k);
  for (let i = 0; i < k; i++) {
    if (positive[i]) continue;
    let above = 0;
    for (let j = 0; j < k; j++) if (!positive[j] && (loss[j] > loss[i] || (loss[j] === loss[i] && j < i))) above++;
    out[i] = above < keep ? 1 : 0;
  }
  return out;
}

test('hard negative mining: the 3:1 hardest negatives by confidence loss, as a naive ranking picks them (ties, no positives, too few negatives)', () => {
  const random = mulberry32(9);
  for (let trial = 0; trial < 200; trial++) {
    const k = 1 + Math.floor(random() * 60);
    const levels = trial % 2 === 0 ? 5 : 0; // quantised losses give ties
    const loss = Float32Array.from({ length: k }, () => (levels ? Math.floor(random() * levels) : random() * 4));
    const fraction = [0, 0.05, 0.2, 0.5, 0.9][trial % 5];
    const positive = Uint8Array.from({ length: k }, () => (random() < fraction ? 1 : 0));
    const ratio = trial % 3 === 0 ? 1 : 3;
    const got = hardNegatives(loss, positive, ratio);
    assert.deepEqual([...got], [...naiveMining(loss, positive, ratio)], `trial ${trial}`);
    for (let i = 0; i < k; i++) assert.ok(!(got[i] && positive[i]), 'a positive is never a negative');
  }
  // hand example: positives 1; negatives by loss 0.9 (index 4) > 0.7 (0) = 0.7 (3) > 0.1 (2): 3:1 keeps indices 4, 0, 3
  assert.deepEqual([...hardNegatives(Float32Array.of(0.7, 5, 0.1, 0.7, 0.9), Uint8Array.of(0, 1, 0, 0, 0))], [1, 0, 0, 1, 1]);
});
