import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseContour, rasterizePolygon } from '../../src/data/contour.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';
import { sharedData } from '../helpers/shared.js';

/**
 * Reference: the crossing-number point-in-polygon test (W. R. Franklin's PNPOLY) applied to every pixel
 * centre (c, r) separately — slow and obviously right. Same half-open edge rule as documented.
 */
function naiveMask(points: ArrayLike<number>, height: number, width: number): Uint8Array {
  const k = points.length / 2;
  const mask = new Uint8Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let inside = false;
      for (let i = 0, j = k - 1; i < k; j = i++) {
        const xi = points[2 * i], yi = points[2 * i + 1];
        const xj = points[2 * j], yj = points[2 * j + 1];
        if (yi > r !== yj > r && c < ((xj - xi) * (r - yi)) / (yj - yi) + xi) inside = !inside;
      }
      mask[r * width + c] = inside ? 1 : 0;
    }
  }
  return mask;
}

const ones = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);

describe('parseContour', () => {
  test('reads "x y" lines, ignores blank lines and CRLF', () => {
    const pts = parseContour('120.50 137.50\r\n121.00 136.50\n\n 130 140 \n', 'c.txt');
    assert.deepEqual(Array.from(pts), [120.5, 137.5, 121, 136.5, 130, 140]);
  });

  test('bad lines and too few points: errors naming the file and the line', () => {
    assert.throws(() => parseContour('1 2\n3 4\n5 x\n', 'IM-1.txt'), (e: unknown) => e instanceof DetsegInputError && /^IM-1\.txt: line 3: expected two numbers/.test(e.message));
    assert.throws(() => parseContour('1 2\n3 4 5\n6 7\n', 'a.txt'), /a\.txt: line 2/);
    assert.throws(() => parseContour('1 2\nNaN 4\n6 7\n', 'a.txt'), /a\.txt: line 2/);
    assert.throws(() => parseContour('1 2\n3 4\n', 'two.txt'), /two\.txt: a contour needs at least 3 points, got 2/);
  });
});

describe('rasterizePolygon', () => {
  test('hand-worked: square (0,0)–(4,4) holds centres 0..3 × 0..3 (left/top in, right/bottom out)', () => {
    const mask = rasterizePolygon([0, 0, 4, 0, 4, 4, 0, 4], 6, 6);
    const expected = new Uint8Array(36);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expected[r * 6 + c] = 1;
    assert.deepEqual(mask, expected);
  });

  test('hand-worked: half-pixel square (0.5,0.5)–(3.5,3.5) holds the 9 centres 1..3 × 1..3', () => {
    const mask = rasterizePolygon([0.5, 0.5, 3.5, 0.5, 3.5, 3.5, 0.5, 3.5], 5, 5);
    const rows = Array.from({ length: 5 }, (_, r) => Array.from(mask.subarray(5 * r, 5 * r + 5)).join(''));
    assert.deepEqual(rows, ['00000', '01110', '01110', '01110', '00000']);
  });

  test('hand-worked: right triangle (0,0),(4,0),(0,4) — row r holds columns c < 4 − r', () => {
    const mask = rasterizePolygon([0, 0, 4, 0, 0, 4], 5, 5);
    const rows = Array.from({ length: 5 }, (_, r) => Array.from(mask.subarray(5 * r, 5 * r + 5)).join(''));
    assert.deepEqual(rows, ['11110', '11100', '11000', '10000', '00000']);
  });

  test('clips to the image; degenerate polygons give an empty mask', () => {
    assert.equal(ones(rasterizePolygon([-10, -10, 100, -10, 100, 100, -10, 100], 4, 3)), 12);
    assert.equal(ones(rasterizePolygon([1, 1, 3, 3], 5, 5)), 0);
    assert.equal(ones(rasterizePolygon([1, 1, 3, 1, 5, 1], 5, 5)), 0);
    assert.throws(() => rasterizePolygon([1, 1, 3, NaN, 0, 2], 5, 5), DetsegInputError);
  });

  test('equals the naive per-pixel point-in-polygon on random polygons (ties on the grid included)', () => {
    const random = mulberry32(2024);
    for (let trial = 0; trial < 300; trial++) {
      const k = 3 + Math.floor(random() * 12);
      const h = 1 + Math.floor(random() * 24);
      const w = 1 + Math.floor(random() * 24);
      const pts = new Float32Array(2 * k);
      // a third of the polygons have vertices on the integer/half-integer grid, to hit centre-on-edge ties;
      // the rest are arbitrary (self-intersecting, partly outside the image)
      const grid = trial % 3 === 0 ? 1 : trial % 3 === 1 ? 2 : 0;
      for (let i = 0; i < 2 * k; i++) {
        const v = random() * 1.4 * (i % 2 ? h : w) - 0.2 * (i % 2 ? h : w);
        pts[i] = grid ? Math.round(v * grid) / grid : v;
      }
      assert.deepEqual(rasterizePolygon(pts, h, w), naiveMask(pts, h, w), `trial ${trial}`);
    }
  });

  test('equals the naive reference on every real Sunnybrook i-contour', (t) => {
    const root = sharedData(t, 'sunnybrook_lv_subset', 'contourfiles');
    if (!root) return;
    let n = 0;
    for (const patient of readdirSync(root)) {
      const dir = join(root, patient, 'i-contours');
      for (const name of readdirSync(dir)) {
        const pts = parseContour(readFileSync(join(dir, name), 'utf8'), name);
        const mask = rasterizePolygon(pts, 256, 256);
        assert.deepEqual(mask, naiveMask(pts, 256, 256), name);
        assert.ok(ones(mask) > 50, `${name}: LV mask of ${ones(mask)} pixels`);
        n++;
      }
    }
    assert.equal(n, 96);
  });
});
