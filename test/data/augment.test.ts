import { test } from 'node:test';
import assert from 'node:assert/strict';
import { augmentSample, cropSample, horizontalFlip, letterboxSample, resizeSample, scaleJitter, type AugmentSample } from '../../src/data/augment.js';
import { mulberry32 } from '../../src/util/random.js';

const COLOURS: [number, number, number][] = [[250, 20, 20], [20, 250, 20], [20, 20, 250]];

/** A grey W×H image with filled rectangles (integer xyxy boxes) in distinct colours, and their masks. */
function rectangles(w: number, h: number, boxes: number[]): AugmentSample {
  const data = new Uint8Array(w * h * 3).fill(128);
  const n = boxes.length / 4;
  const masks: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const m = new Uint8Array(w * h);
    for (let y = boxes[4 * i + 1]; y < boxes[4 * i + 3]; y++) {
      for (let x = boxes[4 * i]; x < boxes[4 * i + 2]; x++) {
        data.set(COLOURS[i], (y * w + x) * 3);
        m[y * w + x] = 1;
      }
    }
    masks.push(m);
  }
  return { image: { data, width: w, height: h }, boxes: Float32Array.from(boxes), labels: Int32Array.from({ length: n }, (_, i) => i), masks };
}

/** Extent [x1, y1, x2, y2) of the pixels for which `hit(p)` holds, by a plain scan. */
function extent(w: number, h: number, hit: (p: number) => boolean): number[] {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (hit(y * w + x)) { x1 = Math.min(x1, x); y1 = Math.min(y1, y); x2 = Math.max(x2, x + 1); y2 = Math.max(y2, y + 1); }
  return [x1, y1, x2, y2];
}

/**
 * Checks every box of `s` against the rectangle drawn in its colour and against its mask: the extents
 * agree to `tol` px (0 for flips and crops; 1 for resampling, where edges blend over one pixel).
 */
function assertAligned(s: AugmentSample, tol: number, what: string): void {
  const { width: w, height: h, data } = s.image;
  for (let i = 0; i < s.labels.length; i++) {
    const c = COLOURS[s.labels[i]];
    const box = Array.from(s.boxes.subarray(4 * i, 4 * i + 4));
    // Pixels of the rectangle's colour (after bilinear blending, those closer to it than to grey).
    const byColour = extent(w, h, (p) => Math.abs(data[3 * p] - c[0]) + Math.abs(data[3 * p + 1] - c[1]) + Math.abs(data[3 * p + 2] - c[2]) < 150);
    const byMask = extent(w, h, (p) => s.masks![i][p] === 1);
    for (let q = 0; q < 4; q++) {
      assert.ok(Math.abs(byColour[q] - box[q]) <= tol, `${what}: object ${i} coordinate ${q}: box ${box} vs pixels ${byColour}`);
      assert.ok(Math.abs(byMask[q] - box[q]) <= tol, `${what}: object ${i} coordinate ${q}: box ${box} vs mask ${byMask}`);
    }
  }
}

const base = () => rectangles(100, 80, [10, 5, 40, 30, 55, 40, 97, 78, 0, 60, 8, 80]);

test('horizontal flip twice is the identity; once moves pixels, boxes and masks together', () => {
  const s = base();
  const once = horizontalFlip(s);
  assert.deepEqual(Array.from(once.boxes.subarray(0, 4)), [60, 5, 90, 30]);
  assertAligned(once, 0, 'flip');
  const twice = horizontalFlip(once);
  assert.deepEqual(twice.image.data, s.image.data);
  assert.deepEqual(twice.boxes, s.boxes);
  assert.deepEqual(twice.masks, s.masks);
});

test('resizing and scale jitter keep rectangles aligned with their boxes (to 1 px)', () => {
  assertAligned(base(), 0, 'input');
  assertAligned(resizeSample(base(), 200, 160), 1, 'resize ×2');
  assertAligned(resizeSample(base(), 63, 47), 1, 'resize to 63×47');
  const random = mulberry32(3);
  for (let k = 0; k < 5; k++) assertAligned(scaleJitter(base(), random, 0.6, 1.6), 1, `jitter ${k}`);
});

test('crop: boxes shift and clip exactly; boxes left too small are dropped with their masks', () => {
  const c = cropSample(base(), 30, 20, 50, 50);
  // Box 0 (10,5,40,30) → clipped (0,0,10,10): area 100 of 750 (13% < 25%) → dropped.
  // Box 1 (55,40,97,78) → (25,20,50,50); box 2 (0,60,8,80) lies left of the window → dropped.
  assert.deepEqual(Array.from(c.labels), [1]);
  assert.deepEqual(Array.from(c.boxes), [25, 20, 50, 50]);
  assertAligned(c, 0, 'crop');
  const keepAll = cropSample(base(), 30, 20, 50, 50, { minAreaFraction: 0, minSidePx: 1 });
  assert.deepEqual(Array.from(keepAll.labels), [0, 1]);
  assert.deepEqual(Array.from(keepAll.boxes.subarray(0, 4)), [0, 0, 10, 10]);
  assert.throws(() => cropSample(base(), 60, 0, 50, 50), /not inside the 100×80 image/);
});

test('the augmentation pipeline is deterministic given a seed and keeps every box aligned', () => {
  for (let seed = 0; seed < 12; seed++) {
    const a = augmentSample(base(), mulberry32(seed), { cropWidth: 64, cropHeight: 64 });
    const b = augmentSample(base(), mulberry32(seed), { cropWidth: 64, cropHeight: 64 });
    assert.deepEqual(a.image.data, b.image.data);
    assert.deepEqual(a.boxes, b.boxes);
    assert.equal(a.image.width, 64);
    assertAligned(a, 1, `pipeline seed ${seed}`);
  }
});

test('letterboxing a sample keeps rectangles, masks and boxes aligned (to 1 px), padding masks with 0', () => {
  for (const [w, h] of [[100, 80], [60, 90]]) {
    const s = rectangles(w, h, [10, 5, 40, 30, 30, 40, 55, 78]);
    const { sample, letterbox } = letterboxSample(s, 64);
    assert.equal(sample.image.width, 64);
    assertAligned(sample, 1, `letterbox ${w}×${h}`);
    const padRows = letterbox.padY * 64;
    assert.ok(sample.masks!.every((m) => m.subarray(0, padRows).every((v) => v === 0)));
  }
});
