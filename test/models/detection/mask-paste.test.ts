import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pasteMask } from '../../../src/models/detection/mask-paste.js';
import { mulberry32 } from '../../../src/util/random.js';

/**
 * Naive reference: for every pixel of the image, if its centre lies in the box, the mask value by
 * PyTorch's bilinear rule (align_corners=False): source coordinate (dst + 0.5)·scale − 0.5, clamped to
 * [0, M − 1], interpolated between floor and floor + 1.
 */
function naivePaste(mask: Float32Array, m: number, box: number[], width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const [x1, y1, x2, y2] = box;
  const at = (i: number, j: number) => mask[Math.min(i, m - 1) * m + Math.min(j, m - 1)];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5, cy = y + 0.5;
      if (cx < x1 || cx >= x2 || cy < y1 || cy >= y2) continue;
      const u = Math.min(Math.max(((cx - x1) * m) / (x2 - x1) - 0.5, 0), m - 1);
      const v = Math.min(Math.max(((cy - y1) * m) / (y2 - y1) - 0.5, 0), m - 1);
      const i = Math.floor(v), j = Math.floor(u), fy = v - i, fx = u - j;
      const value = (1 - fy) * ((1 - fx) * at(i, j) + fx * at(i, j + 1)) + fy * ((1 - fx) * at(i + 1, j) + fx * at(i + 1, j + 1));
      out[y * width + x] = value >= 0.5 ? 1 : 0;
    }
  }
  return out;
}

test('pasteMask equals the naive per-pixel bilinear reference on random masks and boxes (inside, straddling and past the border)', () => {
  const random = mulberry32(21);
  const boxes = [[10.3, 5.7, 40.2, 30.9], [-6, -3, 12.5, 20], [50, 40, 70, 70], [20, 20, 21, 22], [0, 0, 64, 48]];
  for (const m of [28, 7]) {
    for (const box of boxes) {
      // smooth random masks (sums of a few blobs) so that thresholds are not all ties
      const mask = new Float32Array(m * m);
      for (let k = 0; k < 3; k++) {
        const cx = random() * m, cy = random() * m, r = 2 + random() * m / 2;
        for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) mask[i * m + j] += Math.exp(-((i - cy) ** 2 + (j - cx) ** 2) / (r * r));
      }
      const fast = pasteMask(mask, m, box, 64, 48);
      const naive = naivePaste(mask, m, box, 64, 48);
      let differ = 0;
      for (let p = 0; p < fast.length; p++) if (fast[p] !== naive[p]) differ++;
      assert.equal(differ, 0, `M ${m}, box [${box}]`);
    }
  }
});

test('pasteMask, hand-worked: a full mask fills exactly the pixels whose centres lie in the box; an empty mask nothing', () => {
  const full = new Float32Array(4).fill(1);
  const out = pasteMask(full, 2, [1.2, 0.4, 3.6, 2.5], 5, 4);
  // columns with centre in [1.2, 3.6): x = 1, 2, 3 (centres 1.5, 2.5, 3.5); rows in [0.4, 2.5): y = 0, 1 (0.5, 1.5)
  const expected = [0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  assert.deepEqual(Array.from(out), expected);
  assert.equal(pasteMask(new Float32Array(4), 2, [0, 0, 5, 4], 5, 4).reduce((s, v) => s + v, 0), 0);
});
