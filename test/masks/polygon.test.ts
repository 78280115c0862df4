import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxToRle, polygonToRle, segmentationToRle } from '../../src/masks/polygon.js';
import { decodeRle, rleArea } from '../../src/masks/rle.js';
import { countsToString } from '../../src/masks/rle-string.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';

/**
 * Reference rasterizer, written plainly from pycocotools' rleFrPoly semantics: every point of the dense
 * upsampled boundary is stored, then every consecutive pair is examined (the fast version skips the steps
 * that cannot be kept). Returns the run lengths.
 */
function referencePolygonCounts(xy: number[], h: number, w: number): number[] {
  const k = xy.length / 2;
  const cInt = (v: number) => (Number.isNaN(v) ? -2147483648 : Math.trunc(v));
  const x: number[] = [], y: number[] = [];
  for (let j = 0; j < k; j++) {
    x.push(Math.trunc(5 * xy[2 * j] + 0.5));
    y.push(Math.trunc(5 * xy[2 * j + 1] + 0.5));
  }
  x.push(x[0]);
  y.push(y[0]);
  const u: number[] = [], v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
    const dx = Math.abs(xe - xs), dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) [xs, xe, ys, ye] = [xe, xs, ye, ys];
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(cInt(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(cInt(xs + s * t + 0.5));
      }
    }
  }
  const a: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
    xd = (xd + 0.5) / 5 - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
    yd = (yd + 0.5) / 5 - 0.5;
    yd = Math.ceil(Math.min(Math.max(yd, 0), h));
    a.push(xd * h + yd);
  }
  a.push(h * w);
  a.sort((p, q) => p - q);
  const diffs = a.map((t, j) => t - (j ? a[j - 1] : 0));
  const b = [diffs[0]];
  for (let j = 1; j < diffs.length; ) {
    if (diffs[j] > 0) b.push(diffs[j++]);
    else {
      j++;
      if (j < diffs.length) b[b.length - 1] += diffs[j++];
    }
  }
  return b;
}

test('polygonToRle equals the plain reference rasterizer on random polygons (in, across and outside the image)', () => {
  const random = mulberry32(33);
  for (let trial = 0; trial < 1500; trial++) {
    const h = 1 + Math.floor(random() * 40), w = 1 + Math.floor(random() * 40);
    const k = 1 + Math.floor(random() * 9);
    const xy: number[] = [];
    for (let j = 0; j < k; j++) {
      // whole, half and arbitrary coordinates, some outside the image, some vertices repeated
      const kind = random();
      const px = kind < 0.2 ? Math.round(random() * w) : kind < 0.3 ? Math.round(random() * 2 * w) / 2 : random() * (w + 10) - 5;
      const py = kind < 0.2 ? Math.round(random() * h) : kind < 0.3 ? Math.round(random() * 2 * h) / 2 : random() * (h + 10) - 5;
      xy.push(px, py);
      if (random() < 0.1) xy.push(px, py);
    }
    assert.deepEqual(Array.from(polygonToRle(xy, h, w).counts), referencePolygonCounts(xy, h, w), `polygon ${JSON.stringify(xy)} in ${h}×${w}`);
  }
});

test('polygonToRle: the square (0,0)–(2,2) in a 4×4 image, worked by hand through rleFrPoly', () => {
  // ×5: corners (0,0) (0,10) (10,10) (10,0). Column crossings kept where (u + .5)/5 − .5 is a whole
  // x: on the top edge (y = 10 → (10.5)/5 − .5 = 1.6 → ceil 2) at x = 0 and 1 → positions 0·4+2, 1·4+2;
  // on the bottom edge (y = 0 → −.4 → clamped 0) at x = 0, 1 → positions 0, 4. With h·w = 16:
  // sorted 0, 2, 4, 6, 16 → runs 0, 2, 2, 2, 10: pixels (0..1, 0..1).
  const rle = polygonToRle([0, 0, 0, 2, 2, 2, 2, 0], 4, 4);
  assert.deepEqual(Array.from(rle.counts), [0, 2, 2, 2, 10]);
  assert.deepEqual(Array.from(boxToRle(0, 0, 2, 2, 4, 4).counts), [0, 2, 2, 2, 10]);
});

test('boxToRle: a box with whole-pixel corners covers exactly its pixels, clipped to the image', () => {
  const random = mulberry32(21);
  for (let trial = 0; trial < 200; trial++) {
    const h = 1 + Math.floor(random() * 20), w = 1 + Math.floor(random() * 20);
    const x = Math.floor(random() * (w + 4)) - 2, y = Math.floor(random() * (h + 4)) - 2;
    const bw = Math.floor(random() * 12), bh = Math.floor(random() * 12);
    const mask = decodeRle(boxToRle(x, y, bw, bh, h, w));
    for (let px = 0; px < w; px++) {
      for (let py = 0; py < h; py++) {
        const inside = px >= x && px < x + bw && py >= y && py < y + bh ? 1 : 0;
        assert.equal(mask[px * h + py], inside, `box ${[x, y, bw, bh]} in ${h}×${w}, pixel (${px}, ${py})`);
      }
    }
  }
});

test('polygonToRle: a right triangle follows the pixel-centre rule on a hand-checkable grid', () => {
  // Triangle (0,0), (0,10), (10,10) on a 10×10 image, below the diagonal y = x. Pixel (x, y) has its
  // centre (x + .5, y + .5) inside or on the triangle exactly when y ≥ x, so column x holds rows x..9:
  // 10 − x pixels, 55 in all (centres on the diagonal are kept by pycocotools' rounding).
  const rle = polygonToRle([0, 0, 0, 10, 10, 10], 10, 10);
  const mask = decodeRle(rle);
  let area = 0;
  for (let x = 0; x < 10; x++) {
    let col = 0;
    for (let y = 0; y < 10; y++) col += mask[x * 10 + y];
    assert.equal(col, 10 - x, `column ${x}`);
    for (let y = x; y < 10; y++) assert.equal(mask[x * 10 + y], 1, `pixel (${x}, ${y})`);
    area += col;
  }
  assert.equal(area, 55);
  assert.equal(rleArea(rle), 55);
});

test('segmentationToRle: polygons merge (union), a first entry of 4 numbers means boxes, RLEs keep their size', () => {
  const two = segmentationToRle([[0, 0, 0, 2, 2, 2, 2, 0], [1, 1, 1, 3, 3, 3, 3, 1]], 4, 4);
  // union of (0..1, 0..1) and (1..2, 1..2): 4 + 4 − 1 = 7 pixels
  assert.equal(rleArea(two), 7);
  const boxes = segmentationToRle([[0, 0, 2, 2], [1, 1, 2, 2]], 4, 4);
  assert.deepEqual(Array.from(boxes.counts), Array.from(two.counts));
  const unc = segmentationToRle({ size: [2, 2], counts: [1, 2, 1] }, 9, 9);
  assert.deepEqual([unc.h, unc.w, ...unc.counts], [2, 2, 1, 2, 1]);
  const comp = segmentationToRle({ size: [4, 4], counts: countsToString([0, 2, 2, 2, 10]) }, 4, 4);
  assert.deepEqual(Array.from(comp.counts), [0, 2, 2, 2, 10]);
});

test('segmentationToRle: malformed segmentations are input errors naming the field', () => {
  const bad = (seg: unknown, re: RegExp) =>
    assert.throws(() => segmentationToRle(seg as never, 4, 4, 'annotations[3].segmentation'), (e: unknown) => e instanceof DetsegInputError && re.test(e.message) && e.message.includes('annotations[3].segmentation'));
  bad([], /empty list/);
  bad([[0, 0, 1, 1, 2]], /even number/);
  bad([[0, 0, 1, 1, 2, 2], [5, 5]], /at least 3 points/);
  bad([[0, 0, 1, 1e300, 2, 2]], /coordinate 3 \(1e\+300\) is beyond ±400000000 pixels/);
  bad([[0, 0, 1, Number.NaN, 2, 2]], /not a finite number/);
  bad({ size: [4, 4], counts: [1, 2] }, /sum to 3, expected height\*width = 16/);
  bad({ size: [4], counts: [16] }, /size must be \[height, width\]/);
  bad({ foo: 1 }, /expected polygons or an RLE/);
});

test('polygonToRle: an edge reaching far outside the image sizes nothing by its length (same mask as a near edge)', () => {
  // a rectangle from (2, 3) to (X, 8): inside a 10×12 image its mask is the same whether X is 20 or 2.2e8;
  // the far one used to ask for a buffer of one entry per upsampled step along the edge (≈ 8 GB)
  const near = polygonToRle([2, 3, 20, 3, 20, 8, 2, 8], 10, 12);
  const far = polygonToRle([2, 3, 2.2e8, 3, 2.2e8, 8, 2, 8], 10, 12);
  assert.deepEqual(Array.from(far.counts), Array.from(near.counts));
  // columns 2..11 (10 columns) × rows 3..7 (5 rows), by the pixel-centre rule
  assert.equal(rleArea(near), 50);
  const tall = polygonToRle([1, -3e8, 4, -3e8, 4, 3e8, 1, 3e8], 6, 6);
  assert.equal(rleArea(tall), 3 * 6);
  assert.deepEqual(Array.from(segmentationToRle([[1, -3e8, 4, -3e8, 4, 3e8, 1, 3e8]], 6, 6).counts), Array.from(tall.counts));
});
