import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePanoptic, formatPanopticTable, panopticImageCounts, type PanopticFrame, type PanopticResult } from '../../src/eval/panoptic.js';
import type { PanopticCategory, PanopticSegmentInfo } from '../../src/data/coco-panoptic-format.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';

/** Hand-worked cases on 4×4 images. Category 1 is a thing, 2 is stuff, 3 a second thing. */
const CATS: PanopticCategory[] = [
  { id: 1, name: 'person', isthing: 1 },
  { id: 2, name: 'sky', isthing: 0 },
  { id: 3, name: 'car', isthing: 1 },
];

/** A frame from rows of ids and segments `[id, category, iscrowd?]`. */
function frame(rows: number[][], segs: [number, number, (0 | 1)?][], imageId: number | string = 1): PanopticFrame {
  const segments: PanopticSegmentInfo[] = segs.map(([id, category_id, iscrowd]) => ({ id, category_id, iscrowd: iscrowd ?? 0 }));
  return { imageId, width: rows[0].length, height: rows.length, ids: Uint32Array.from(rows.flat()), segments };
}

function near(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-15, `${what}: ${actual} vs ${expected}`);
}

function assertGroup(r: PanopticResult, name: 'All' | 'Things' | 'Stuff', pq: number, sq: number, rq: number, n: number): void {
  near(r[name].pq, pq, `${name}.pq`);
  near(r[name].sq, sq, `${name}.sq`);
  near(r[name].rq, rq, `${name}.rq`);
  assert.equal(r[name].n, n, `${name}.n`);
}

const counts = (r: PanopticResult) => Object.fromEntries(Object.entries(r.perClass).map(([k, c]) => [k, [c.tp, c.fp, c.fn]]));

test('void: the prediction\'s pixels on unlabeled ground truth are left out of the union (IoU 3/4, not 3/12)', () => {
  const gt = frame(
    [
      [1, 2, 0, 0],
      [1, 2, 0, 0],
      [1, 2, 0, 0],
      [1, 2, 0, 0],
    ],
    [[1, 1], [2, 2]],
  );
  // Prediction 7 (11 px) holds 3 px of segment 1 and 8 px of void: union = 11 + 4 − 3 − 8 = 4.
  const pred = frame(
    [
      [7, 8, 7, 7],
      [7, 8, 7, 7],
      [7, 8, 7, 7],
      [0, 8, 7, 7],
    ],
    [[7, 1], [8, 2]],
  );
  const r = evaluatePanoptic([gt], [pred], CATS);
  assert.deepEqual(counts(r), { 1: [1, 0, 0], 2: [1, 0, 0] });
  near(r.perClass[1].iou, 0.75, 'iou');
  assertGroup(r, 'All', (0.75 + 1) / 2, (0.75 + 1) / 2, 1, 2);
  assertGroup(r, 'Things', 0.75, 0.75, 1, 1);
  assertGroup(r, 'Stuff', 1, 1, 1, 1);
});

test('IoU exactly 0.5 is no match (FN + FP); 0.8 and 0.875 are; PQ = ΣIoU / (TP + FP/2 + FN/2)', () => {
  const gt = frame(
    [
      [1, 2, 3, 3],
      [1, 2, 3, 3],
      [1, 2, 3, 3],
      [1, 2, 3, 3],
    ],
    [[1, 1], [2, 1], [3, 2]],
  );
  const pred = frame(
    [
      [5, 9, 9, 10],
      [5, 9, 10, 10],
      [0, 9, 10, 10],
      [0, 9, 10, 10],
    ],
    [[5, 1], [9, 1], [10, 2]],
  );
  // 5 vs 1: 2 / (2 + 4 − 2) = 0.5; 9 vs 2: 4 / (5 + 4 − 4) = 0.8; 10 vs 3: 7 / (7 + 8 − 7) = 0.875.
  const r = evaluatePanoptic([gt], [pred], CATS);
  assert.deepEqual(counts(r), { 1: [1, 1, 1], 2: [1, 0, 0] });
  near(r.perClass[1].pq, 0.8 / 2, 'pq person');
  near(r.perClass[1].sq, 0.8, 'sq person');
  near(r.perClass[1].rq, 0.5, 'rq person');
  assertGroup(r, 'All', (0.4 + 0.875) / 2, (0.8 + 0.875) / 2, 0.75, 2);
});

test('crowd: never matched nor FN; a prediction on the crowd region of its own category is ignored, of another category it is an FP', () => {
  const gt = frame(
    [
      [1, 2, 3, 3],
      [1, 2, 3, 3],
      [1, 2, 3, 3],
      [1, 2, 3, 3],
    ],
    [[1, 1], [2, 2], [3, 1, 1]],
  );
  const predRows = [
    [5, 6, 7, 7],
    [5, 6, 7, 7],
    [5, 6, 7, 7],
    [5, 6, 7, 7],
  ];
  // 7 equals the crowd region (IoU 1) but crowd is never matched; it lies wholly on person crowd: ignored.
  const same = evaluatePanoptic([gt], [frame(predRows, [[5, 1], [6, 2], [7, 1]])], CATS);
  assert.deepEqual(counts(same), { 1: [1, 0, 0], 2: [1, 0, 0] });
  assertGroup(same, 'All', 1, 1, 1, 2);
  // As sky it is an FP of sky: only the crowd region of the prediction's own category excuses it.
  const other = evaluatePanoptic([gt], [frame(predRows, [[5, 1], [6, 2], [7, 2]])], CATS);
  assert.deepEqual(counts(other), { 1: [1, 0, 0], 2: [1, 1, 0] });
  near(other.perClass[2].pq, 1 / 1.5, 'pq sky');
  near(other.perClass[2].sq, 1, 'sq sky');
  // As car (a category absent from the ground truth): an FP, and car now counts in N.
  const car = evaluatePanoptic([gt], [frame(predRows, [[5, 1], [6, 2], [7, 3]])], CATS);
  assert.deepEqual(counts(car), { 1: [1, 0, 0], 2: [1, 0, 0], 3: [0, 1, 0] });
  assertGroup(car, 'Things', 0.5, 0.5, 0.5, 2);
  assertGroup(car, 'All', 2 / 3, 2 / 3, 2 / 3, 3);
});

test('the > ½ rule: void and same-category crowd add up; exactly ½ is still an FP', () => {
  const gt = frame(
    [
      [1, 0, 3, 4],
      [1, 0, 3, 4],
      [1, 0, 3, 4],
      [1, 0, 3, 4],
    ],
    [[1, 1], [3, 1, 1], [4, 2]],
  );
  const rows = [
    [5, 7, 7, 7],
    [5, 7, 7, 7],
    [5, 8, 0, 8],
    [5, 8, 0, 8],
  ];
  // 7 (person, 6 px): 2 on void + 2 on person crowd = 4/6 > ½: ignored.
  // 8 (sky, 4 px): vs 4 IoU = 2 / (4 + 4 − 2 − 2) = 0.5, no match; 2/4 on void = ½, not more: an FP.
  const r = evaluatePanoptic([gt], [frame(rows, [[5, 1], [7, 1], [8, 2]])], CATS);
  assert.deepEqual(counts(r), { 1: [1, 0, 0], 2: [0, 1, 1] });
  assertGroup(r, 'All', 0.5, 0.5, 0.5, 2);
  assertGroup(r, 'Things', 1, 1, 1, 1);
  assertGroup(r, 'Stuff', 0, 0, 0, 1);
  // 7 as sky: 2/6 on void and no sky crowd: an FP of sky (its overlap with 4 is IoU 2 / (6 + 4 − 2 − 2) = 1/3).
  const s = evaluatePanoptic([gt], [frame(rows, [[5, 1], [7, 2], [8, 2]])], CATS);
  assert.deepEqual(counts(s), { 1: [1, 0, 0], 2: [0, 2, 1] });
});

test('two crowd regions of one category in an image: only the last listed one excuses predictions (as panopticapi)', () => {
  const gt = frame(
    [
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2, 3, 4],
    ],
    [[1, 1], [2, 2], [3, 1, 1], [4, 1, 1]],
  );
  const rows = [
    [5, 6, 7, 8],
    [5, 6, 7, 8],
    [5, 6, 7, 8],
    [5, 6, 7, 8],
  ];
  const r = evaluatePanoptic([gt], [frame(rows, [[5, 1], [6, 2], [7, 1], [8, 1]])], CATS);
  // 8 lies on crowd 4 (listed last): ignored; 7 lies on crowd 3: an FP.
  assert.deepEqual(counts(r), { 1: [1, 1, 0], 2: [1, 0, 0] });
});

test('areas: a ground-truth segment\'s JSON area is used when given (panopticapi reads it), a prediction\'s is counted', () => {
  const gt = frame([[1, 1, 2, 2]], [[1, 1], [2, 2]]);
  const pred = frame([[5, 5, 6, 0]], [[5, 1], [6, 2]]);
  const plain = evaluatePanoptic([gt], [pred], CATS);
  near(plain.perClass[2].iou, 0, 'sky: IoU 1/2 is no match');
  assert.deepEqual(counts(plain), { 1: [1, 0, 0], 2: [0, 1, 1] });
  // With area 1 in the JSON, sky's union is 1 + 1 − 1 = 1: IoU 1.
  const withArea = { ...gt, segments: [gt.segments[0], { ...gt.segments[1], area: 1 }] };
  assert.deepEqual(counts(evaluatePanoptic([withArea], [pred], CATS)), { 1: [1, 0, 0], 2: [1, 0, 0] });
});

test('images are accumulated; extra predictions are ignored; a category with nothing is not counted in N', () => {
  const a = frame([[1, 1, 0, 2]], [[1, 1], [2, 2]], 10);
  const b = frame([[0, 3, 3, 3]], [[3, 1]], 'frankfurt');
  const pa = frame([[4, 4, 4, 2]], [[4, 1], [2, 2]], 10);
  const pb = frame([[0, 0, 3, 3]], [[3, 1]], 'frankfurt');
  const extra = frame([[9, 9, 9, 9]], [[9, 3]], 99);
  const r = evaluatePanoptic([a, b], [pb, extra, pa], CATS);
  // a: 4 vs 1 = 2 / (3 + 2 − 2 − 1) = 1; b: 3 vs 3 = 2/3.
  assert.deepEqual(counts(r), { 1: [2, 0, 0], 2: [1, 0, 0] });
  near(r.perClass[1].iou, 1 + 2 / 3, 'iou sum');
  assertGroup(r, 'All', ((1 + 2 / 3) / 2 + 1) / 2, ((1 + 2 / 3) / 2 + 1) / 2, 1, 2);
});

test('bad input: a missing prediction, sizes, ids absent from the list or the map, unknown categories, a duplicated prediction', () => {
  const gt = frame([[1, 2]], [[1, 1], [2, 2]], 7);
  const err = (f: () => unknown, pattern: RegExp) => assert.throws(f, (e: unknown) => e instanceof DetsegInputError && pattern.test(e.message) && !e.message.includes('\n'));
  err(() => evaluatePanoptic([gt], [], CATS), /image 7: no prediction for this image/);
  err(() => evaluatePanoptic([gt], [frame([[1], [2]], [[1, 1], [2, 2]], 7)], CATS), /image 7: the prediction is 1×2, the ground truth 2×1/);
  err(() => evaluatePanoptic([gt], [{ ...frame([[5, 6]], [[5, 1]], 7), source: 'p.png' }], CATS), /^p\.png: image 7, segment 6: the id is in the PNG but not in segments_info/);
  err(() => evaluatePanoptic([gt], [frame([[5, 5]], [[5, 1], [6, 1]], 7)], CATS), /image 7, segment 6: listed in segments_info but absent from the PNG/);
  err(() => evaluatePanoptic([gt], [frame([[5, 6]], [[5, 1], [6, 42]], 7)], CATS), /image 7, segment 6: unknown category_id 42/);
  err(() => evaluatePanoptic([gt], [frame([[5, 6]], [[5, 1], [6, 2]], 7), frame([[5, 6]], [[5, 1], [6, 2]], 7)], CATS), /image 7: two predictions for the same image/);
});

test("the table is panopticapi's, including Python's rounding of exact halfway cases (20.25 → 20.2, 1.25 → 1.2, 68.75 → 68.8)", () => {
  const g = (pq: number, sq: number, rq: number, n: number) => ({ pq, sq, rq, n });
  // Expected strings from Python's '{:5.1f}'.format(100 * x) (0.6225 · 100 = 62.250000000000007: not a tie).
  const lines = formatPanopticTable({ All: g(0.2025, 0.6875, 1, 12), Things: g(0.0125, 0.6225, 0.05, 3), Stuff: g(0, 0, 0, 0), perClass: {} });
  assert.deepEqual(lines, [
    '          |    PQ     SQ     RQ     N',
    '--------------------------------------',
    'All       |  20.2   68.8  100.0    12',
    'Things    |   1.2   62.3    5.0     3',
    'Stuff     |   0.0    0.0    0.0     0',
  ]);
});

/**
 * A pixel-loop reference written straight from the rules (one pass over the image per pair of segments),
 * for the random cross-check below.
 */
function naiveCounts(gt: PanopticFrame, pred: PanopticFrame): Map<number, [number, number, number, number]> {
  const out = new Map<number, [number, number, number, number]>();
  const at = (c: number) => out.get(c) ?? (out.set(c, [0, 0, 0, 0]), out.get(c)!);
  const count = (f: (p: number) => boolean) => {
    let n = 0;
    for (let p = 0; p < gt.ids.length; p++) if (f(p)) n++;
    return n;
  };
  const matchedGt = new Set<number>();
  const matchedPred = new Set<number>();
  for (const g of gt.segments) {
    if (g.iscrowd) continue;
    for (const q of pred.segments) {
      if (q.category_id !== g.category_id) continue;
      const inter = count((p) => gt.ids[p] === g.id && pred.ids[p] === q.id);
      if (inter === 0) continue;
      const union = count((p) => pred.ids[p] === q.id && gt.ids[p] !== 0) + count((p) => gt.ids[p] === g.id && pred.ids[p] !== q.id);
      if (inter / union > 0.5) {
        const c = at(g.category_id);
        c[0]++;
        c[3] += inter / union;
        matchedGt.add(g.id);
        matchedPred.add(q.id);
      }
    }
  }
  for (const g of gt.segments) if (!g.iscrowd && !matchedGt.has(g.id)) at(g.category_id)[2]++;
  for (const q of pred.segments) {
    if (matchedPred.has(q.id)) continue;
    const crowd = gt.segments.filter((g) => g.iscrowd && g.category_id === q.category_id).at(-1);
    const ignored = count((p) => pred.ids[p] === q.id && (gt.ids[p] === 0 || gt.ids[p] === crowd?.id));
    if (ignored / count((p) => pred.ids[p] === q.id) <= 0.5) at(q.category_id)[1]++;
  }
  return out;
}

test('equals a pixel-loop reference on 400 random 7×6 image pairs (perturbed copies: void, crowd, wrong categories)', () => {
  const random = mulberry32(17);
  const known = new Map(CATS.map((c) => [c.id, c]));
  for (let trial = 0; trial < 400; trial++) {
    const w = 7;
    const h = 6;
    const gtIds = new Uint32Array(w * h);
    const nSeg = 1 + Math.floor(random() * 5);
    for (let p = 0; p < gtIds.length; p++) gtIds[p] = Math.floor(random() * (nSeg + 1)) * 1000; // 0 = void
    // Blocky regions: copy the left neighbour most of the time.
    for (let p = 0; p < gtIds.length; p++) if (p % w > 0 && random() < 0.7) gtIds[p] = gtIds[p - 1];
    const predIds = gtIds.map((id) => (random() < 0.2 ? Math.floor(random() * (nSeg + 1)) * 1000 : id) + (id > 0 || random() < 0.5 ? 7 : 0));
    const gtSegs = [...new Set(gtIds)].filter((id) => id > 0).map((id) => ({ id, category_id: 1 + Math.floor(random() * 3), iscrowd: (random() < 0.2 ? 1 : 0) as 0 | 1 }));
    const predSegs = [...new Set(predIds)].filter((id) => id > 0).map((id) => ({ id, category_id: random() < 0.8 ? (gtSegs.find((s) => s.id === id - 7)?.category_id ?? 2) : 1 + Math.floor(random() * 3), iscrowd: 0 as const }));
    const gt: PanopticFrame = { imageId: trial, width: w, height: h, ids: gtIds, segments: gtSegs };
    const pred: PanopticFrame = { imageId: trial, width: w, height: h, ids: predIds, segments: predSegs };
    const fast = panopticImageCounts(gt, pred, known);
    const slow = naiveCounts(gt, pred);
    const nonzero = (m: Map<number, [number, number, number, number]>) => [...m].filter(([, c]) => c[0] + c[1] + c[2] > 0).sort((a, b) => a[0] - b[0]);
    const fastList = nonzero(new Map([...fast].map(([k, c]) => [k, [c.tp, c.fp, c.fn, c.iou] as [number, number, number, number]])));
    const slowList = nonzero(slow);
    assert.deepEqual(fastList.map(([k, c]) => [k, c.slice(0, 3)]), slowList.map(([k, c]) => [k, c.slice(0, 3)]), `trial ${trial}`);
    fastList.forEach(([, c], i) => near(c[3], slowList[i][1][3], `trial ${trial} iou`));
  }
});
