import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCocoJson } from '../../src/eval/coco.js';

/**
 * Tiny evaluations worked on paper (pycocotools' rules), each with 1–5 boxes in 100×100 images. Every AP
 * below is the mean of 101 precision values per IoU threshold (10 thresholds, 0.50 … 0.95) and every AR
 * the mean of 10 recalls. Small boxes (area < 32²) are in the `small` range; nothing is medium or large.
 */

const img = (id: number) => ({ id, width: 100, height: 100, file_name: `${id}.jpg` });
const cats = [{ id: 1, name: 'a' }, { id: 2, name: 'b' }];
const box = (id: number, image_id: number, category_id: number, bbox: [number, number, number, number], iscrowd: 0 | 1 = 0) => ({ id, image_id, category_id, bbox, area: bbox[2] * bbox[3], iscrowd });
const det = (image_id: number, category_id: number, bbox: [number, number, number, number], score: number) => ({ image_id, category_id, bbox, score });

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

/**
 * Case A, one image: g1 = [0,0,10,10], g2 = [50,50,10,10] (class a). Detections by score: d1 = g1's box
 * (IoU 1), d2 = [50,50,10,5] (IoU with g2 = 50/100 = 0.5), d3 = [20,20,10,10] (no overlap).
 * At IoU .50: TP, TP, FP → recall .5, 1, 1; precision 1, 1, 2/3 → precision 1 at every recall threshold.
 * At IoU ≥ .55: TP, FP, FP → recall .5, .5, .5; precision 1, .5, 1/3 → 1 for the 51 thresholds 0…0.50,
 * 0 beyond (unreachable). AP = (101 + 9·51) / 1010 = 560/1010; AP50 = 1; AP75 = 51/101.
 * AR100 = (1 + 9·0.5)/10 = 0.55; AR1 (d1 only) = 0.5.
 */
const caseA = {
  gt: { images: [img(1)], categories: cats, annotations: [box(1, 1, 1, [0, 0, 10, 10]), box(2, 1, 1, [50, 50, 10, 10])] },
  dt: [det(1, 1, [0, 0, 10, 10], 0.9), det(1, 1, [50, 50, 10, 5], 0.8), det(1, 1, [20, 20, 10, 10], 0.7)],
};

test('case A: AP 560/1010, AP50 1, AP75 51/101, AR1 .5, AR100 .55; no medium or large ground truth → −1', () => {
  const s = evaluateCocoJson(caseA.gt, caseA.dt).stats;
  const expected = [560 / 1010, 1, 51 / 101, 560 / 1010, -1, -1, 0.5, 0.55, 0.55, 0.55, -1, -1];
  expected.forEach((e, i) => close(s[i], e, `stat ${i}`));
});

test('case A with maxDets [1, 2, 3]: the first AP asks for maxDets 100 and is −1, as in pycocotools', () => {
  const r = evaluateCocoJson(caseA.gt, caseA.dt, { maxDets: [3, 1, 2] });
  assert.deepEqual(r.params.maxDets, [1, 2, 3]);
  // AP50 at 3 detections = 1; AR1 = .5; AR2 (d1, d2: recall 1 at .50, .5 above) = .55; AR3 = .55
  const expected = [-1, 1, 51 / 101, 560 / 1010, -1, -1, 0.5, 0.55, 0.55, 0.55, -1, -1];
  expected.forEach((e, i) => close(r.stats[i], e, `stat ${i}`));
  assert.equal(r.lines[0], ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = -1.000');
  assert.equal(r.lines[7], ' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  2 ] = 0.550');
});

test('useCats = false pools the categories (case A with d2 labelled b)', () => {
  // per category: class a keeps d1 (TP) and d3 (FP): recall .5, precision 1, .5 → 51/101 at every
  // threshold; class b has no ground truth (−1, left out). Pooled, it is case A again.
  const gt = caseA.gt;
  const dt = [caseA.dt[0], { ...caseA.dt[1], category_id: 2 }, caseA.dt[2]];
  const perCat = evaluateCocoJson(gt, dt);
  close(perCat.stats[0], 51 / 101, 'AP per category');
  close(perCat.stats[1], 51 / 101, 'AP50 per category');
  close(perCat.stats[8], 0.5, 'AR100 per category');
  assert.deepEqual(perCat.perClass.map((c) => c.name), ['a', 'b']);
  close(perCat.perClass[0].ap, 51 / 101, 'AP(a)');
  assert.equal(perCat.perClass[1].ap, -1);
  const pooled = evaluateCocoJson(gt, dt, { useCats: false });
  assert.equal(pooled.dims.K, 1);
  close(pooled.stats[0], 560 / 1010, 'AP pooled');
  close(pooled.stats[1], 1, 'AP50 pooled');
  close(pooled.stats[8], 0.55, 'AR100 pooled');
  assert.deepEqual(pooled.perClass, []);
});

/**
 * Case C = case A plus image 2 with g3 = [0,0,20,20] (class a) and a wrong detection d4 = [60,60,20,20]
 * scored 0.95, and (class b) g5 = d5 = [70,70,10,10] in image 1.
 * Class a pooled over both images, by score: d4 FP, d1 TP, d2 TP at .50 only, d3 FP; 3 ground truths.
 * IoU .50: recall 0, 1/3, 2/3, 2/3; precision 0, 1/2, 2/3, 1/2 → envelope 2/3, 2/3, 2/3, 1/2 → 2/3 for the
 * 67 thresholds 0…0.66, then unreachable: AP50 = 67·(2/3)/101 = 134/303.
 * IoU ≥ .55: recall 0, 1/3, 1/3, 1/3; precision 0, 1/2, 1/3, 1/4 → envelope 1/2, 1/2, 1/3, 1/4 → 1/2 for
 * the 34 thresholds 0…0.33: 17/101. AP(a) = (134/3 + 9·17)/1010 = 593/3030. AR100(a) = (2/3 + 9/3)/10.
 * Class b: one perfect detection → AP 1.
 */
const caseC = {
  gt: {
    images: [img(1), img(2)],
    categories: cats,
    annotations: [...caseA.gt.annotations, box(3, 2, 1, [0, 0, 20, 20]), box(5, 1, 2, [70, 70, 10, 10])],
  },
  dt: [...caseA.dt, det(2, 1, [60, 60, 20, 20], 0.95), det(1, 2, [70, 70, 10, 10], 0.5)],
};

test('case C: both classes, a class subset (catIds) and an image subset (imgIds)', () => {
  const all = evaluateCocoJson(caseC.gt, caseC.dt);
  close(all.stats[0], (593 / 3 + 1010) / 2020, 'AP both classes');
  close(all.perClass[0].ap, 593 / 3030, 'AP(a)');
  close(all.perClass[1].ap, 1, 'AP(b)');
  const onlyA = evaluateCocoJson(caseC.gt, caseC.dt, { catIds: [1] });
  close(onlyA.stats[0], 593 / 3030, 'AP catIds [1]');
  close(onlyA.stats[1], 134 / 303, 'AP50 catIds [1]');
  close(onlyA.stats[8], (2 / 3 + 9 / 3) / 10, 'AR100 catIds [1]');
  const onlyB = evaluateCocoJson(caseC.gt, caseC.dt, { catIds: [2] });
  close(onlyB.stats[0], 1, 'AP catIds [2]');
  // image 1 alone, class a: case A
  const image1 = evaluateCocoJson(caseC.gt, caseC.dt, { imgIds: [1], catIds: [1] });
  close(image1.stats[0], 560 / 1010, 'AP imgIds [1]');
  // image 2 alone, class a: one FP above one missed ground truth → precision 0, recall 0
  const image2 = evaluateCocoJson(caseC.gt, caseC.dt, { imgIds: [2], catIds: [1] });
  close(image2.stats[0], 0, 'AP imgIds [2]');
  close(image2.stats[8], 0, 'AR100 imgIds [2]');
});

/**
 * Case E, crowd: c1 = [0,0,50,50] (crowd, area 2500), g2 = [60,60,10,10]; detections e1 = [10,10,10,10]
 * (0.9) and e2 = [20,20,10,10] (0.8) inside the crowd region, e3 = g2's box (0.7).
 * With the crowd flag: IoU(e, c1) = 100/100 (union = the detection) = 1, so e1 and e2 match the crowd and
 * are ignored; e3 is a TP; precision 1 everywhere: AP = AR = 1 — except AR1: with one detection per
 * image only e1 (ignored) counts, so recall is 0. In the `small` range the same; the medium range has only
 * the (ignored) crowd → −1.
 * Without the flag c1 is ordinary (medium) ground truth: IoU(e1, c1) = 100/2500 → e1, e2 FP, e3 TP →
 * recall 0, 0, .5; precision 0, 0, 1/3 → 1/3 up to recall .5: AP = 51/303. Small range: c1 is ignored
 * (too large), e1 and e2 (small, unmatched) stay FPs, recall reaches 1: AP_s = 1/3. Medium range: only c1;
 * e1, e2 are unmatched and small → ignored, e3 matches the ignored g2 → ignored: AP_m = AR_m = 0.
 */
test('case E: crowd ground truth absorbs detections (union = detection area); area ranges ignore out-of-range boxes', () => {
  const make = (crowd: 0 | 1) => ({
    images: [img(1)],
    categories: cats,
    annotations: [box(1, 1, 1, [0, 0, 50, 50], crowd), box(2, 1, 1, [60, 60, 10, 10])],
  });
  const dt = [det(1, 1, [10, 10, 10, 10], 0.9), det(1, 1, [20, 20, 10, 10], 0.8), det(1, 1, [60, 60, 10, 10], 0.7)];
  const crowd = evaluateCocoJson(make(1), dt).stats;
  [1, 1, 1, 1, -1, -1, 0, 1, 1, 1, -1, -1].forEach((e, i) => close(crowd[i], e, `crowd stat ${i}`));
  const plain = evaluateCocoJson(make(0), dt).stats;
  close(plain[0], 51 / 303, 'AP without crowd');
  close(plain[3], 1 / 3, 'AP small without crowd');
  close(plain[4], 0, 'AP medium without crowd');
  close(plain[10], 0, 'AR medium without crowd');
  close(plain[8], 0.5, 'AR100 without crowd');
});

test('segm on rasterized boxes gives the same numbers as bbox for whole-pixel boxes (case C)', () => {
  // results with bbox only: pycocotools rasterizes the box polygon; a whole-pixel box covers exactly its
  // pixels, so every mask IoU equals the box IoU here
  const gt = { ...caseC.gt, annotations: caseC.gt.annotations.map((a) => ({ ...a, segmentation: [[a.bbox[0], a.bbox[1], a.bbox[0], a.bbox[1] + a.bbox[3], a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3], a.bbox[0] + a.bbox[2], a.bbox[1]]] })) };
  const bbox = evaluateCocoJson(gt, caseC.dt, { iouType: 'bbox' });
  const segm = evaluateCocoJson(gt, caseC.dt, { iouType: 'segm' });
  assert.deepEqual(segm.stats, bbox.stats);
});

test('the best-scoring detections are kept first; equal scores keep file order (stable, as numpy mergesort)', () => {
  // two detections with the same score on one ground truth: the first in the file takes the match, the
  // second is a FP → precision 1 then 1/2, recall 1 at the first: AP = 1. Reversed order: same AP (the
  // match goes to whichever comes first), but with maxDets 1 only the first listed counts.
  const gt = { images: [img(1)], categories: cats, annotations: [box(1, 1, 1, [0, 0, 10, 10])] };
  const good = det(1, 1, [0, 0, 10, 10], 0.5), bad = det(1, 1, [80, 80, 10, 10], 0.5);
  close(evaluateCocoJson(gt, [good, bad]).stats[6], 1, 'AR1, good first');
  close(evaluateCocoJson(gt, [bad, good]).stats[6], 0, 'AR1, bad first');
});

test('stable order also for a cell of more than 32 detections: the good box 36th of 40 equal scores', () => {
  // 40 detections of score 0.5 on one ground truth, only the 36th (index 35) overlapping it: with one or
  // ten detections per image it is cut off (AR1 = AR10 = 0); with 100 it is found (AR100 = 1), and the
  // 35 false positives before it give precision 1/36 up to recall 1 at IoU ≥ .5 → AP = 1/36.
  const gt = { images: [img(1)], categories: cats, annotations: [box(1, 1, 1, [0, 0, 10, 10])] };
  const dets = Array.from({ length: 40 }, (_, i) => det(1, 1, i === 35 ? [0, 0, 10, 10] : [80, 80, 5, 5], 0.5));
  const s = evaluateCocoJson(gt, dets).stats;
  close(s[6], 0, 'AR1');
  close(s[7], 0, 'AR10');
  close(s[8], 1, 'AR100');
  close(s[0], 1 / 36, 'AP');
});

test('case A scores (pycocotools\' eval["scores"], on request): the score where each recall threshold is reached', () => {
  // IoU .50: recall .5 is reached at d1 (0.9), recall 1 at d2 (0.8); IoU .55: recall .5 at d1, then
  // unreachable (0). Cell [t, r, k=0, a=all, m=100] of [T,R,K,A,M] = [10,101,2,4,3].
  const r = evaluateCocoJson(caseA.gt, caseA.dt, { scores: true });
  const at = (t: number, ri: number) => r.scores![(((t * 101 + ri) * 2 + 0) * 4 + 0) * 3 + 2];
  assert.equal(at(0, 0), 0.9);
  assert.equal(at(0, 50), 0.9);
  assert.equal(at(0, 51), 0.8);
  assert.equal(at(0, 100), 0.8);
  assert.equal(at(1, 50), 0.9);
  assert.equal(at(1, 51), 0);
  // class b has no ground truth: −1
  assert.equal(r.scores![(((0 * 101 + 0) * 2 + 1) * 4 + 0) * 3 + 2], -1);
  assert.equal(evaluateCocoJson(caseA.gt, caseA.dt).scores, undefined);
});
