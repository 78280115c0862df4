import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countAllBoxes, countWindows, parseWindowSizes, slidingWindows } from '../../src/proposals/sliding-window.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';

/** Brute force: every (x1 < x2, y1 < y2) with integer corners in [0, W] × [0, H]. */
function bruteForceAllBoxes(width: number, height: number): number {
  let count = 0;
  for (let x1 = 0; x1 <= width; x1++) for (let x2 = x1 + 1; x2 <= width; x2++) for (let y1 = 0; y1 <= height; y1++) for (let y2 = y1 + 1; y2 <= height; y2++) count++;
  return count;
}

test('countAllBoxes equals the brute-force count for small images and the lecture’s Σ formula', () => {
  for (let w = 0; w <= 9; w++) {
    for (let h = 0; h <= 7; h++) {
      assert.equal(countAllBoxes(w, h), BigInt(bruteForceAllBoxes(w, h)), `${w}×${h}`);
      let sum = 0;
      for (let bh = 1; bh <= h; bh++) for (let bw = 1; bw <= w; bw++) sum += (w - bw + 1) * (h - bh + 1);
      assert.equal(countAllBoxes(w, h), BigInt(sum));
    }
  }
});

test('countAllBoxes(800, 600) = 57,768,120,000 exactly (the slide’s /2 and "58M" are wrong)', () => {
  assert.equal(countAllBoxes(800, 600), 57_768_120_000n);
  assert.equal(countAllBoxes(800, 600), (320_400n * 180_300n)); // 800·801/2 · 600·601/2
  // exact beyond 2^53: a 100,000 × 100,000 image
  assert.equal(countAllBoxes(100_000, 100_000), (100_000n * 100_001n / 2n) ** 2n);
  assert.throws(() => countAllBoxes(-1, 5), (e) => e instanceof DetsegInputError && /width/.test(e.message));
  assert.throws(() => countAllBoxes(2.5, 5), DetsegInputError);
});

test('slidingWindows equals a brute-force scan of every position', () => {
  const sizes = [{ width: 3, height: 2 }, { width: 5, height: 5 }, { width: 20, height: 1 }, { width: 1, height: 1 }];
  for (const [w, h, stride] of [[12, 9, 1], [12, 9, 2], [17, 11, 3], [4, 4, 5]] as const) {
    const expected: number[] = [];
    for (const s of sizes) {
      for (let y = 0; y <= h; y++) for (let x = 0; x <= w; x++) if (x % stride === 0 && y % stride === 0 && x + s.width <= w && y + s.height <= h) expected.push(x, y, x + s.width, y + s.height);
    }
    const got = slidingWindows(w, h, sizes, stride);
    assert.deepEqual(Array.from(got), expected, `${w}×${h} stride ${stride}`);
    assert.equal(countWindows(w, h, sizes, stride), expected.length / 4);
  }
  assert.equal(slidingWindows(10, 10, [], 4).length, 0);
  assert.equal(slidingWindows(0, 0, [{ width: 1, height: 1 }], 1).length, 0);
  assert.throws(() => slidingWindows(10, 10, [{ width: 0, height: 3 }], 1), (e) => e instanceof DetsegInputError && /sizes\[0\]\.width/.test(e.message));
  assert.throws(() => slidingWindows(10, 10, [{ width: 2, height: 3 }], 0), (e) => e instanceof DetsegInputError && /stride/.test(e.message));
});

test('parseWindowSizes reads WIDTHxHEIGHT lists and names the bad part', () => {
  assert.deepEqual(parseWindowSizes('64x64, 128x64'), [{ width: 64, height: 64 }, { width: 128, height: 64 }]);
  assert.throws(() => parseWindowSizes('64x64,big'), (e) => e instanceof DetsegInputError && /--sizes.*'big'/.test(e.message));
  assert.throws(() => parseWindowSizes('0x5'), (e) => e instanceof DetsegInputError && /at least 1x1/.test(e.message));
});

test('detseg windows prints the exact counts; bad options exit 1 with a one-line error', () => {
  const r = runCli(['windows', '--width', '800', '--height', '600', '--sizes', '64x64,128x64', '--stride', '16']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /all boxes in a 800×600 image: 57,768,120,000/);
  // (⌊736/16⌋+1)(⌊536/16⌋+1) + (⌊672/16⌋+1)(⌊536/16⌋+1) = 47·34 + 43·34 = 3,060
  assert.match(r.stdout, /sliding windows \(64x64, 128x64; stride 16\): 3,060 enumerated/);
  const bad = runCli(['windows', '--width', '800', '--height', 'tall']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /--height: must be a whole number/);
  assert.equal(bad.stdout, '');
});
