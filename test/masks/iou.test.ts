import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxIouCrowd, rleIou } from '../../src/masks/iou.js';
import { encodeMask, type Rle } from '../../src/masks/rle.js';
import { mulberry32 } from '../../src/util/random.js';

/** Naive mask IoU with COCO's crowd rule, pixel by pixel: union = detection area for crowd ground truth. */
function naiveMaskIou(d: Uint8Array, g: Uint8Array, crowd: boolean): number {
  let inter = 0, union = 0, dArea = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i] && g[i]) inter++;
    if (d[i] || g[i]) union++;
    if (d[i]) dArea++;
  }
  if (inter === 0) return 0;
  return inter / (crowd ? dArea : union);
}

/** Naive box IoU (xywh) with the crowd rule, written from the definition. */
function naiveBoxIou(d: number[], g: number[], crowd: boolean): number {
  const iw = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
  const ih = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / (crowd ? d[2] * d[3] : d[2] * d[3] + g[2] * g[3] - inter);
}

test('boxIouCrowd: hand-worked values, crowd rule, layout [D,G]', () => {
  // d0 = [0,0,10,10], g0 = [5,0,10,10]: inter 5·10 = 50, union 100+100−50 = 150 → 1/3
  // d0 inside crowd g1 = [0,0,50,50]: inter 100, union = detection area 100 → 1 (not 100/2500)
  // d1 = [20,20,2,2] touches nothing of g0; inside g1 → 1
  const iou = boxIouCrowd([0, 0, 10, 10, 20, 20, 2, 2], [5, 0, 10, 10, 0, 0, 50, 50], [0, 1]);
  assert.deepEqual(Array.from(iou), [1 / 3, 1, 0, 1]);
  const noCrowd = boxIouCrowd([0, 0, 10, 10], [0, 0, 50, 50], [0]);
  assert.equal(noCrowd[0], 100 / 2500);
  // touching edges do not overlap
  assert.equal(boxIouCrowd([0, 0, 10, 10], [10, 0, 10, 10])[0], 0);
});

test('boxIouCrowd equals the naive definition on random boxes', () => {
  const random = mulberry32(5);
  const D = 17, G = 13;
  const dt = Array.from({ length: D * 4 }, (_, i) => (i % 4 < 2 ? random() * 50 : random() * 30));
  const gt = Array.from({ length: G * 4 }, (_, i) => (i % 4 < 2 ? random() * 50 : random() * 30));
  const crowd = Array.from({ length: G }, () => (random() < 0.3 ? 1 : 0));
  const iou = boxIouCrowd(dt, gt, crowd);
  for (let d = 0; d < D; d++) {
    for (let g = 0; g < G; g++) {
      const expected = naiveBoxIou(dt.slice(4 * d, 4 * d + 4), gt.slice(4 * g, 4 * g + 4), crowd[g] === 1);
      assert.ok(Math.abs(iou[d * G + g] - expected) < 1e-12, `d=${d} g=${g}: ${iou[d * G + g]} vs ${expected}`);
    }
  }
});

test('rleIou equals a per-pixel IoU (with the crowd rule) on random masks', () => {
  const random = mulberry32(9);
  for (let trial = 0; trial < 150; trial++) {
    const h = 5 + Math.floor(random() * 25), w = 5 + Math.floor(random() * 25);
    const mk = () => {
      // a random rectangle blob plus noise, so that boxes overlap sometimes and not always
      const m = new Uint8Array(h * w);
      const x0 = Math.floor(random() * w), y0 = Math.floor(random() * h);
      const x1 = Math.min(w, x0 + 1 + Math.floor(random() * w / 2)), y1 = Math.min(h, y0 + 1 + Math.floor(random() * h / 2));
      for (let x = x0; x < x1; x++) for (let y = y0; y < y1; y++) if (random() < 0.8) m[x * h + y] = 1;
      return m;
    };
    const dm = Array.from({ length: 4 }, mk), gm = Array.from({ length: 3 }, mk);
    const crowd = [0, 1, 0];
    const dr: Rle[] = dm.map((m) => encodeMask(m, h, w));
    const gr: Rle[] = gm.map((m) => encodeMask(m, h, w));
    const iou = rleIou(dr, gr, crowd);
    for (let d = 0; d < 4; d++) {
      for (let g = 0; g < 3; g++) assert.equal(iou[d * 3 + g], naiveMaskIou(dm[d], gm[g], crowd[g] === 1), `trial ${trial} d=${d} g=${g}`);
    }
  }
});

test('rleIou: masks of different sizes give −1, as pycocotools', () => {
  const a = encodeMask([1, 1, 1, 1], 2, 2);
  const b = encodeMask([1, 1, 1, 1, 1, 1], 3, 2);
  assert.deepEqual(Array.from(rleIou([a], [b])), [-1]);
});
