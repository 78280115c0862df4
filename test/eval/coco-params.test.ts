import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultIouThrs, defaultRecThrs, linspace, resolveParams } from '../../src/eval/coco-params.js';
import { formatFixed, numpyMean, numpySum } from '../../src/eval/coco-summarize.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';

test('iouThrs and recThrs are numpy\'s linspace values bit for bit (printed by numpy 2.4 with repr)', () => {
  // np.linspace(.5, 0.95, 10).tolist()
  assert.deepEqual(Array.from(defaultIouThrs()), [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]);
  const r = defaultRecThrs();
  assert.equal(r.length, 101);
  // np.linspace(0, 1, 101)[[0, 7, 28, 29, 50, 57, 58, 99, 100]]
  assert.deepEqual([0, 7, 28, 29, 50, 57, 58, 99, 100].map((i) => r[i]), [0.0, 0.07, 0.28, 0.29, 0.5, 0.5700000000000001, 0.58, 0.99, 1.0]);
  assert.deepEqual(Array.from(linspace(0.2, 0.7, 6)), [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
  assert.deepEqual(Array.from(linspace(3, 3, 1)), [3]);
});

test('resolveParams: defaults from the ground truth, ids sorted and unique, maxDets sorted, bad values rejected', () => {
  const p = resolveParams({ imgIds: [5, 2, 5] }, [9, 1], [3, 1, 2]);
  assert.deepEqual(p.imgIds, [2, 5]);
  assert.deepEqual(p.catIds, [1, 2, 3]);
  assert.deepEqual(p.maxDets, [1, 10, 100]);
  assert.deepEqual(p.areaRngLbl, ['all', 'small', 'medium', 'large']);
  assert.deepEqual(p.areaRng, [[0, 1e10], [0, 1024], [1024, 9216], [9216, 1e10]]);
  // useCats = false keeps the given category order (it orders the pooled ground truth)
  assert.deepEqual(resolveParams({ useCats: false, catIds: [3, 1, 3] }, [1], [1, 3]).catIds, [3, 1]);
  assert.throws(() => resolveParams({ maxDets: [1.5] }, [1], [1]), DetsegInputError);
  assert.throws(() => resolveParams({ iouThrs: [Number.NaN] }, [1], [1]), /iouThrs: value 0 is not a finite number/);
  assert.throws(() => resolveParams({ areaRng: [[0, 10]], areaRngLbl: ['a', 'b'] }, [1], [1]), /areaRngLbl/);
});

/** numpy's pairwise summation, written out plainly (recursive halves, 8 accumulators below 128). */
function referencePairwise(v: number[]): number {
  const n = v.length;
  if (n < 8) return v.reduce((s, x) => s + x, 0);
  if (n <= 128) {
    const r = v.slice(0, 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += v[i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += v[i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return referencePairwise(v.slice(0, n2)) + referencePairwise(v.slice(n2));
}

test('numpySum: pairwise summation, hand-worked where the order shows', () => {
  // 8 values: ((1e16 + 1) + (1 + 1)) + ((1 + 1) + (1 + 1)) = (1e16 + 2) + 4 = 1e16 + 6, whereas a
  // left-to-right sum loses every 1 (1e16 + 1 rounds back to 1e16)
  const v = [1e16, 1, 1, 1, 1, 1, 1, 1];
  assert.equal(numpySum(v), 1e16 + 6);
  assert.equal(v.reduce((s, x) => s + x, 0), 1e16);
  const random = mulberry32(1);
  for (const n of [0, 1, 7, 8, 9, 127, 128, 129, 1000, 5003]) {
    const values = Array.from({ length: n }, () => random());
    assert.equal(numpySum(values), referencePairwise(values), `n=${n}`);
  }
});

test('numpyMean sums in buffers of 8192 like numpy 1.24: differs from one pairwise pass only past 8192 values', () => {
  const random = mulberry32(2);
  const small = Array.from({ length: 8000 }, () => random());
  assert.equal(numpyMean(small), referencePairwise(small) / small.length);
  const big = Array.from({ length: 20000 }, () => random());
  const chunked = referencePairwise(big.slice(0, 8192)) + referencePairwise(big.slice(8192, 16384)) + referencePairwise(big.slice(16384));
  assert.equal(numpyMean(big), chunked / big.length);
});

test('formatFixed rounds exact ties to even, like Python\'s format (JavaScript\'s toFixed rounds them up)', () => {
  assert.equal(formatFixed(0.0625, 3), '0.062'); // exactly 0.0625: tie → even
  assert.equal((0.0625).toFixed(3), '0.063');
  assert.equal(formatFixed(0.1875, 3), '0.188');
  assert.equal(formatFixed(0.3125, 3), '0.312');
  assert.equal(formatFixed(0.5045806987249628, 3), '0.505');
  assert.equal(formatFixed(-1, 3), '-1.000');
  assert.equal(formatFixed(0.8999999999999999, 2), '0.90');
  assert.equal(formatFixed(0.125, 2), '0.12');
});
