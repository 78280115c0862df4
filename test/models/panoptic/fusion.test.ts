import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SYNTHETIC_PANOPTIC_CATEGORIES, syntheticPanopticSample } from '../../../src/data/synthetic-panoptic.js';
import { evaluatePanoptic } from '../../../src/eval/panoptic.js';
import { fusePanoptic } from '../../../src/models/panoptic/fusion.js';
import { DetsegInputError } from '../../../src/util/errors.js';

/** A mask of a `w`×`h` image from rows of '#' (inside) and '.' (outside). */
function mask(rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join('').split(''), (ch) => (ch === '#' ? 1 : 0));
}

const isThing = (c: number) => c <= 3;

test('hand-made 4×4: the higher-scoring instance keeps the overlap, the other keeps its free pixels, stuff fills the rest', () => {
  const a = mask(['##..', '##..', '....', '....']); // score 0.9, category 1
  const b = mask(['.##.', '.##.', '....', '....']); // score 0.8, category 2: 2 of its 4 pixels taken (50 %, not more) → kept
  const semantic = [1, 1, 2, 2, 1, 1, 2, 4, 4, 4, 5, 5, 4, 4, 5, 5];
  const out = fusePanoptic({ scores: [0.8, 0.9], categories: [2, 1], masks: [b, a] }, semantic, 4, 4, isThing, { stuffAreaThreshold: 1 });
  // ids: a → 1, b → 2 (its two free pixels), stuff 4 → 3, stuff 5 → 4; (3, 0) is 'thing 2' in the semantic map with no instance → void
  assert.deepEqual(Array.from(out.ids), [1, 1, 2, 0, 1, 1, 2, 3, 3, 3, 4, 4, 3, 3, 4, 4]);
  assert.deepEqual(out.segments, [
    { id: 1, category_id: 1, iscrowd: 0, area: 4 },
    { id: 2, category_id: 2, iscrowd: 0, area: 2 },
    { id: 3, category_id: 4, iscrowd: 0, area: 5 },
    { id: 4, category_id: 5, iscrowd: 0, area: 4 },
  ]);
  assert.deepEqual(out.source, [1, 0, -1, -1]);
});

test('an instance more than half covered by better ones is dropped; one under the score threshold is ignored', () => {
  const a = mask(['###.', '###.', '....', '....']); // 0.9
  const b = mask(['.###', '.###', '....', '....']); // 0.7: 4 of 6 taken (67 %) → dropped
  const c = mask(['....', '....', '##..', '##..']); // 0.4 < 0.5 → ignored
  const semantic = new Array(16).fill(6);
  const out = fusePanoptic({ scores: [0.9, 0.7, 0.4], categories: [3, 3, 1], masks: [a, b, c] }, semantic, 4, 4, isThing, { stuffAreaThreshold: 1 });
  assert.deepEqual(Array.from(out.ids), [1, 1, 1, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
  assert.deepEqual(out.segments.map((s) => [s.category_id, s.area]), [[3, 6], [6, 10]]);
  // a lower overlap threshold drops b sooner, a lower score threshold admits c
  const loose = fusePanoptic({ scores: [0.9, 0.7, 0.4], categories: [3, 3, 1], masks: [a, b, c] }, semantic, 4, 4, isThing, { stuffAreaThreshold: 1, overlapThreshold: 0.7, scoreThreshold: 0.3 });
  assert.deepEqual(loose.segments.map((s) => [s.category_id, s.area]), [[3, 6], [3, 2], [1, 4], [6, 4]]);
});

test('stuff below the area threshold stays void; thing labels of the semantic map never make segments; equal scores keep input order', () => {
  const semantic = [4, 4, 4, 5, 4, 4, 4, 5, 4, 4, 4, 1, 4, 4, 4, 1];
  const a = mask(['....', '....', '##..', '##..']);
  const b = mask(['....', '....', '.##.', '.##.']);
  const out = fusePanoptic({ scores: [0.6, 0.6], categories: [2, 1], masks: [a, b] }, semantic, 4, 4, isThing, { stuffAreaThreshold: 3 });
  // a (first of the tie) takes columns 0-1; b has 2 of 4 pixels free → kept; stuff 5 has 2 pixels < 3 → void; the two 'circle' semantic pixels → void
  assert.deepEqual(Array.from(out.ids), [3, 3, 3, 0, 3, 3, 3, 0, 1, 1, 2, 0, 1, 1, 2, 0]);
  assert.deepEqual(out.segments.map((s) => [s.id, s.category_id, s.area]), [[1, 2, 4], [2, 1, 2], [3, 4, 6]]);
});

test('no instances and an all-void semantic map give an all-void output; bad sizes are refused', () => {
  const out = fusePanoptic({ scores: [], categories: [], masks: [] }, new Uint8Array(6), 3, 2, isThing);
  assert.deepEqual(Array.from(out.ids), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(out.segments, []);
  assert.throws(() => fusePanoptic({ scores: [], categories: [], masks: [] }, new Uint8Array(5), 3, 2, isThing), DetsegInputError);
  assert.throws(() => fusePanoptic({ scores: [1], categories: [1], masks: [new Uint8Array(4)] }, new Uint8Array(6), 3, 2, isThing), /mask 0 has 4 pixels/);
  assert.throws(() => fusePanoptic({ scores: [1, 0.5], categories: [1], masks: [new Uint8Array(6)] }, new Uint8Array(6), 3, 2, isThing), /2 scores but 1 categories/);
});

test('the ground truth fed back (its masks as instances, its category map as semantics) is reproduced: PQ = SQ = RQ = 1 on 20 synthetic images', () => {
  const gt = [], pred = [];
  for (let i = 0; i < 20; i++) {
    const s = syntheticPanopticSample(7, i, { size: 64 });
    const out = fusePanoptic({ scores: s.masks.map((_, j) => 1 - j / 100), categories: s.labels.map((l) => l + 1), masks: s.masks }, s.categoryMap, 64, 64, isThing, { stuffAreaThreshold: 0 });
    assert.equal(out.segments.length, s.segments.length);
    gt.push({ imageId: i, width: 64, height: 64, ids: s.ids, segments: s.segments });
    pred.push({ imageId: i, width: 64, height: 64, ids: out.ids, segments: out.segments });
  }
  const r = evaluatePanoptic(gt, pred, SYNTHETIC_PANOPTIC_CATEGORIES);
  assert.deepEqual([r.All.pq, r.All.sq, r.All.rq, r.All.n], [1, 1, 1, 6]);
});
