import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { gridPool } from '../../../src/models/yolov1/grid-pool.js';
import { mulberry32 } from '../../../src/util/random.js';

/**
 * Reference: each feature cell split into S×S equal sub-cells carrying its value, so that on the
 * (h·S)×(w·S) sub-grid output cell (i, j) is exactly an h×w block, whose plain mean it must equal.
 */
function supersampledPool(x: Float32Array, b: number, h: number, w: number, c: number, s: number): Float32Array {
  const out = new Float32Array(b * s * s * c);
  for (let n = 0; n < b; n++) for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let u = i * h; u < (i + 1) * h; u++) for (let v = j * w; v < (j + 1) * w; v++) sum += x[((n * h + Math.floor(u / s)) * w + Math.floor(v / s)) * c + ch];
    out[((n * s + i) * s + j) * c + ch] = sum / (h * w);
  }
  return out;
}

test('gridPool: area-weighted adaptive average pooling equals the mean over a supersampled grid (5×7 → 3×3, 16×16 → 7×7, 8×8 → 4×4)', async () => {
  await initEngine();
  const random = mulberry32(2);
  for (const [b, h, w, c, s] of [[2, 5, 7, 3, 3], [1, 16, 16, 2, 7], [1, 8, 8, 2, 4]]) {
    const data = Float32Array.from({ length: b * h * w * c }, () => random() * 2 - 1);
    const got = tf.tidy(() => gridPool(tf.tensor4d(data, [b, h, w, c]), s).dataSync());
    const expected = supersampledPool(data, b, h, w, c, s);
    assert.equal(got.length, expected.length);
    got.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-5, `${h}×${w} → ${s}: ${k}: ${v} vs ${expected[k]}`));
  }
});
