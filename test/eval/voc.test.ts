import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { mulberry32 } from '../../src/util/random.js';
import { DetsegInputError } from '../../src/util/errors.js';
import {
  averagePrecision11Point,
  averagePrecisionAllPoint,
  evaluateVoc,
  iouPairPlusOne,
  type VocDataset,
  type VocImage,
} from '../../src/eval/voc.js';
import { loadVocEvalFolders } from '../../src/eval/voc-io.js';

const FIXTURES = join(packageRoot(), 'test', 'fixtures', 'voc');

// --- published numbers -------------------------------------------------------------------------

test('Padilla sample: every-point and 11-point AP at IoU 0.1/0.3/0.5/0.75 equal the published values (+1 pixel convention)', () => {
  const dir = join(FIXTURES, 'padilla_voc_sample');
  const expected = JSON.parse(readFileSync(join(dir, 'expected_published.json'), 'utf8'));
  const { dataset } = loadVocEvalFolders(join(dir, 'groundtruths'), join(dir, 'detections'), { detFormat: 'xywh' });
  for (const [interp, key] of [['all', 'every_point_AP'], ['11', 'eleven_point_AP']] as const) {
    for (const t of ['0.1', '0.3', '0.5', '0.75']) {
      const r = evaluateVoc(dataset, { iouThreshold: Number(t), interp, plusOne: true });
      assert.equal(r.classes.length, 1);
      assert.equal(r.classes[0].className, 'person');
      assert.equal(r.classes[0].numGt, 15);
      const published: number = expected[key][t];
      // The published values are our doubles truncated (not rounded) to 10 decimals.
      assert.equal(Math.floor(r.mAP * 1e10 + 1e-6), Math.round(published * 1e10), `${key} @ ${t}: ${r.mAP} vs ${published}`);
      assert.ok(Math.abs(r.mAP - published) < 1e-10);
    }
  }
  // The note of the fixture: without the +1 convention, every-point AP@0.3 = 0.2253968254.
  const plain = evaluateVoc(dataset, { iouThreshold: 0.3, interp: 'all' });
  assert.ok(Math.abs(plain.mAP - 0.2253968254) < 1e-10, String(plain.mAP));
});

test("Padilla sample at IoU 0.3: the PR points equal results.txt (precision and recall to 2 decimals)", () => {
  const dir = join(FIXTURES, 'padilla_voc_sample');
  const results = readFileSync(join(dir, 'results.txt'), 'utf8');
  const list = (name: string) => JSON.parse(results.match(new RegExp(`${name}: (\\[.*\\])`))![1].replace(/'/g, '"')).map(Number);
  const { dataset } = loadVocEvalFolders(join(dir, 'groundtruths'), join(dir, 'detections'));
  const c = evaluateVoc(dataset, { iouThreshold: 0.3, plusOne: true }).classes[0];
  assert.deepEqual(Array.from(c.curve.precision, (p) => Number(p.toFixed(2))), list('Precision'));
  assert.deepEqual(Array.from(c.curve.recall, (p) => Number(p.toFixed(2))), list('Recall'));
});

test('toy cats (VOC XML ground truth): AP@0.5 89.58 % / 88.64 % and AP@0.75 50.97 % / 49.24 % (all-point / 11-point)', () => {
  const dir = join(FIXTURES, 'voc_toy_cats');
  const expected = JSON.parse(readFileSync(join(dir, 'expected_published.json'), 'utf8'));
  for (const [sub, detFormat] of [['dets_classname_abs_xywh', 'xywh'], ['dets_classname_abs_xyx2y2', 'xyxy']] as const) {
    const { dataset, warnings } = loadVocEvalFolders(join(dir, 'gts_vocpascal_format'), join(dir, sub), { detFormat });
    assert.deepEqual(warnings, []);
    for (const plusOne of [false, true]) {
      for (const t of ['0.5', '0.75']) {
        for (const [interp, key] of [['all', 'every_point'], ['11', 'eleven_point']] as const) {
          const r = evaluateVoc(dataset, { iouThreshold: Number(t), interp, plusOne });
          assert.equal(r.classes[0].numGt, 12);
          assert.equal(Math.round(r.mAP * 1e4) / 1e4, expected[`AP@${t}`][key], `${sub} ${t} ${interp} plusOne=${plusOne}: ${r.mAP}`);
        }
      }
    }
  }
});

// --- hand-worked ----------------------------------------------------------------------------------

function image(name: string, gt: number[][], dt: number[][]): VocImage {
  // gt rows: [class, x1, y1, x2, y2, difficult]; dt rows: [class, score, x1, y1, x2, y2]
  return {
    name,
    gtBoxes: Float64Array.from(gt.flatMap((r) => r.slice(1, 5))),
    gtClasses: Int32Array.from(gt.map((r) => r[0])),
    gtDifficult: Uint8Array.from(gt.map((r) => r[5] ?? 0)),
    dtBoxes: Float64Array.from(dt.flatMap((r) => r.slice(2, 6))),
    dtClasses: Int32Array.from(dt.map((r) => r[0])),
    dtScores: Float64Array.from(dt.map((r) => r[1])),
  };
}

test('hand-worked: TP, duplicate FP, difficult ignored, wrong class, and the two APs', () => {
  // class 0: 3 objects (one difficult, not counted), class 1: none (its detection is left out)
  const data: VocDataset = {
    classNames: ['a', 'b'],
    images: [
      image('im1', [[0, 0, 0, 10, 10], [0, 20, 0, 30, 10, 1]], [
        [0, 0.9, 0, 0, 10, 10], // IoU 1 → TP
        [0, 0.8, 0, 0, 10, 9], // IoU 0.9 with the taken box → FP (duplicate)
        [0, 0.7, 20, 0, 30, 10], // difficult → ignored
        [1, 0.95, 0, 0, 10, 10], // class b has no ground truth
      ]),
      image('im2', [[0, 0, 0, 10, 10]], [
        [0, 0.6, 0, 0, 10, 4], // IoU 0.4 → FP at 0.5
        [0, 0.5, 0, 0, 10, 6], // IoU 0.6 → TP
      ]),
    ],
  };
  const r = evaluateVoc(data, { iouThreshold: 0.5 });
  assert.equal(r.classes.length, 1);
  const a = r.classes[0];
  assert.equal(a.numGt, 2);
  assert.equal(a.numDifficult, 1);
  assert.equal(a.numIgnored, 1);
  assert.deepEqual(Array.from(a.scores), [0.9, 0.8, 0.6, 0.5]);
  assert.deepEqual(Array.from(a.isTp), [1, 0, 0, 1]);
  // precision 1, 1/2, 1/3, 2/4; recall 1/2, 1/2, 1/2, 1 → envelope 1 on [0, .5], 1/2 on (.5, 1]
  assert.equal(a.ap, 0.5 * 1 + 0.5 * 0.5);
  assert.deepEqual(r.classesWithoutGt, [{ className: 'b', numDetections: 1 }]);
  // 11-point: t = 0 … 0.5 → 1 (six points), t = 0.6 … 1 → 0.5 (five points)
  const r11 = evaluateVoc(data, { iouThreshold: 0.5, interp: '11' });
  assert.equal(r11.mAP, (6 * 1 + 5 * 0.5) / 11);
  // at IoU 0.35 the 0.6 detection is a TP (0.4 ≥ 0.35), and the 0.5 one a duplicate
  const low = evaluateVoc(data, { iouThreshold: 0.35 }).classes[0];
  assert.deepEqual(Array.from(low.isTp), [1, 0, 1, 0]);
  assert.equal(low.ap, 0.5 * 1 + 0.5 * (2 / 3));
});

test('hand-worked: a detection is matched to its best-IoU object even when that one is taken (no fallback)', () => {
  // object A (0,0,10,10), object B (6,0,16,10). det1 = A exactly → TP A. det2 (1,0,11,10): IoU with A
  // = 90/110 = 0.818, with B = 50/150 = 0.333 → best A, taken → FP even though B is free at IoU 0.3.
  const data: VocDataset = { classNames: ['a'], images: [image('im', [[0, 0, 0, 10, 10], [0, 6, 0, 16, 10]], [[0, 0.9, 0, 0, 10, 10], [0, 0.8, 1, 0, 11, 10]])] };
  const c = evaluateVoc(data, { iouThreshold: 0.3 }).classes[0];
  assert.deepEqual(Array.from(c.isTp), [1, 0]);
});

test('hand-worked: equal scores keep their input order (stable), which decides who takes the object', () => {
  const data: VocDataset = { classNames: ['a'], images: [image('im', [[0, 0, 0, 10, 10]], [[0, 0.5, 0, 0, 10, 8], [0, 0.5, 0, 0, 10, 10]])] };
  const c = evaluateVoc(data).classes[0];
  assert.deepEqual(Array.from(c.isTp), [1, 0]); // first one (IoU 0.8) takes it
  assert.equal(c.ap, 1 * 1); // recall reaches 1 at precision 1
});

test('iouPairPlusOne: hand-worked inclusive-pixel IoU', () => {
  // (0,0,9,9) is 10×10 pixels; (5,0,14,9) too; overlap columns 5..9 = 5 × 10 = 50 → 50 / 150
  assert.equal(iouPairPlusOne(0, 0, 9, 9, 5, 0, 14, 9), 50 / 150);
  // touching at x = 9: one shared column under the legacy convention
  assert.equal(iouPairPlusOne(0, 0, 9, 9, 9, 0, 18, 9), 10 / 190);
  assert.equal(iouPairPlusOne(0, 0, 9, 9, 11, 0, 18, 9), 0);
});

test('AP functions: hand-worked curves', () => {
  // recall .5, .5, 1; precision 1, .5, 2/3 → envelope 1 up to .5, 2/3 after
  assert.equal(averagePrecisionAllPoint([0.5, 0.5, 1], [1, 0.5, 2 / 3]), 0.5 + 0.5 * (2 / 3));
  assert.equal(averagePrecision11Point([0.5, 0.5, 1], [1, 0.5, 2 / 3]), (6 + 5 * (2 / 3)) / 11);
  assert.equal(averagePrecisionAllPoint([], []), 0);
  assert.equal(averagePrecision11Point([], []), 0);
  // the grids differ at recall exactly 0.6: numpy's 0.6000000000000001 is not reached
  assert.equal(averagePrecision11Point([0.6], [1], 'numpy'), 6 / 11);
  assert.equal(averagePrecision11Point([0.6], [1], 'decimal'), 7 / 11);
});

// --- naive reference on random data ----------------------------------------------------------------

/** The obviously-correct VOC evaluation: objects, a sort, and AP written from its definition. */
function naiveVoc(data: VocDataset, t: number, interp: 'all' | '11', plusOne: boolean): Map<number, number> {
  const e = plusOne ? 1 : 0;
  const iou = (a: number[], b: number[]) => {
    const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + e;
    const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + e;
    if (iw <= 0 || ih <= 0) return 0;
    const area = (r: number[]) => (r[2] - r[0] + e) * (r[3] - r[1] + e);
    return (iw * ih) / (area(a) + area(b) - iw * ih);
  };
  const out = new Map<number, number>();
  data.classNames.forEach((_, c) => {
    type Gt = { box: number[]; difficult: boolean; taken: boolean };
    const gts: Gt[][] = data.images.map((im) => {
      const list: Gt[] = [];
      for (let j = 0; j < im.gtClasses.length; j++) {
        if (im.gtClasses[j] === c) list.push({ box: Array.from(im.gtBoxes.slice(4 * j, 4 * j + 4)), difficult: im.gtDifficult[j] === 1, taken: false });
      }
      return list;
    });
    const npos = gts.flat().filter((g) => !g.difficult).length;
    if (npos === 0) return;
    const dets: { score: number; image: number; box: number[] }[] = [];
    data.images.forEach((im, i) => {
      for (let j = 0; j < im.dtClasses.length; j++) if (im.dtClasses[j] === c) dets.push({ score: im.dtScores[j], image: i, box: Array.from(im.dtBoxes.slice(4 * j, 4 * j + 4)) });
    });
    dets.sort((p, q) => q.score - p.score); // Array.prototype.sort is stable
    const outcome: boolean[] = [];
    for (const d of dets) {
      let best = 0;
      let match: Gt | undefined;
      for (const g of gts[d.image]) {
        const o = iou(d.box, g.box);
        if (o > best) [best, match] = [o, g];
      }
      if (match && best >= t) {
        if (match.difficult) continue;
        outcome.push(!match.taken);
        match.taken = true;
      } else outcome.push(false);
    }
    const prec: number[] = [];
    const rec: number[] = [];
    let tp = 0;
    outcome.forEach((o, k) => {
      if (o) tp++;
      prec.push(tp / (k + 1));
      rec.push(tp / npos);
    });
    let ap = 0;
    if (interp === 'all') {
      // each TP adds 1/npos of recall, at the best precision reachable from there on
      outcome.forEach((o, k) => {
        if (o) ap += Math.max(...prec.slice(k)) / npos;
      });
    } else {
      for (let k = 0; k <= 10; k++) ap += Math.max(0, ...prec.filter((_, i) => rec[i] >= k * 0.1)) / 11;
    }
    out.set(c, ap);
  });
  return out;
}

test('evaluateVoc equals the naive reference on random data (ties, duplicates, difficult, +1 pixel)', () => {
  const random = mulberry32(20240607);
  const int = (n: number) => Math.floor(random() * n);
  for (let trial = 0; trial < 40; trial++) {
    const numClasses = 1 + int(3);
    const images: VocImage[] = [];
    for (let i = 0; i < 1 + int(6); i++) {
      const gt: number[][] = [];
      const dt: number[][] = [];
      for (let g = 0; g < int(6); g++) {
        const x = int(40), y = int(40);
        gt.push([int(numClasses), x, y, x + 1 + int(20), y + 1 + int(20), random() < 0.15 ? 1 : 0]);
      }
      for (let d = 0; d < int(10); d++) {
        const base = gt.length && random() < 0.7 ? gt[int(gt.length)] : null;
        const x = base ? base[1] + int(7) - 3 : int(40), y = base ? base[2] + int(7) - 3 : int(40);
        const w = base ? base[3] - base[1] + int(7) - 3 : 1 + int(20), h = base ? base[4] - base[2] + int(7) - 3 : 1 + int(20);
        // scores on a coarse grid so that ties happen
        dt.push([base && random() < 0.8 ? base[0] : int(numClasses), int(10) / 10, x, y, x + Math.max(w, 1), y + Math.max(h, 1)]);
      }
      images.push(image(`im${i}`, gt, dt));
    }
    const data: VocDataset = { classNames: Array.from({ length: numClasses }, (_, c) => `c${c}`), images };
    for (const t of [0.1, 0.5, 0.7]) {
      for (const interp of ['all', '11'] as const) {
        for (const plusOne of [false, true]) {
          const want = naiveVoc(data, t, interp, plusOne);
          const got = evaluateVoc(data, { iouThreshold: t, interp, plusOne });
          assert.deepEqual(got.classes.map((c) => c.classId), [...want.keys()]);
          for (const c of got.classes) assert.ok(Math.abs(c.ap - want.get(c.classId)!) < 1e-12, `trial ${trial} t=${t} ${interp} +1=${plusOne} class ${c.classId}: ${c.ap} vs ${want.get(c.classId)}`);
        }
      }
    }
  }
});

// --- bad input ------------------------------------------------------------------------------------

test('bad options and arrays give clear DetsegInputErrors', () => {
  const data: VocDataset = { classNames: ['a'], images: [image('im', [[0, 0, 0, 10, 10]], [[0, 0.9, 0, 0, 10, 10]])] };
  assert.throws(() => evaluateVoc(data, { iouThreshold: 1.5 }), (e: unknown) => e instanceof DetsegInputError && /iouThreshold.*\[0, 1\]/.test(e.message));
  assert.throws(() => evaluateVoc(data, { iouThreshold: Number.NaN }), DetsegInputError);
  const nanScore = { classNames: ['a'], images: [{ ...data.images[0], dtScores: Float64Array.of(Number.NaN) }] };
  assert.throws(() => evaluateVoc(nanScore), /images\[0\] \(im\)\.dtScores: score 0 is NaN/);
  const badBox = { classNames: ['a'], images: [{ ...data.images[0], gtBoxes: Float64Array.of(5, 0, 1, 10) }] };
  assert.throws(() => evaluateVoc(badBox), /gtBoxes: box 0/);
  const badClass = { classNames: ['a'], images: [{ ...data.images[0], dtClasses: Int32Array.of(3) }] };
  assert.throws(() => evaluateVoc(badClass), /dtClasses: entry 0 is 3/);
});
