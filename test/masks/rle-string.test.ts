import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countsFromString, countsToString } from '../../src/masks/rle-string.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { packageRoot } from '../../src/util/paths.js';
import { mulberry32 } from '../../src/util/random.js';

test('countsToString: hand-worked encodings (6-bit groups, +48, deltas from the fourth count)', () => {
  // small counts are one character each: 2 → '2' (50), 3 → '3', 1 → '1'
  assert.equal(countsToString([2, 3, 1]), '231');
  // [1, 2, 3, 4]: the fourth is written as 4 − 2 = 2
  assert.equal(countsToString([1, 2, 3, 4]), '1232');
  // [5, 10, 5, 3]: 10 → ':' (58); 3 − 10 = −7 → low 5 bits 25 (sign bit 0x10 set, the rest is −1) → 'I' (73)
  assert.equal(countsToString([5, 10, 5, 3]), '5:5I');
  // 100 = 3·32 + 4: first group 4 with "more" (0x20) → 36 + 48 = 84 'T', then 3 → '3'
  assert.equal(countsToString([100]), 'T3');
  // 16 needs two groups: 16 has the sign bit of a group set, so a 0 group follows: 16|0x20 = 48 → '`', then '0'
  assert.equal(countsToString([16]), '`0');
  assert.deepEqual(Array.from(countsFromString('231')), [2, 3, 1]);
  assert.deepEqual(Array.from(countsFromString('1232')), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(countsFromString('5:5I')), [5, 10, 5, 3]);
  assert.deepEqual(Array.from(countsFromString('T3')), [100]);
  assert.deepEqual(Array.from(countsFromString('`0')), [16]);
});

test('string ⇄ counts round trip on random runs, including large counts', () => {
  const random = mulberry32(3);
  for (let trial = 0; trial < 300; trial++) {
    const n = Math.floor(random() * 40);
    const counts = Array.from({ length: n }, () => Math.floor(random() ** 4 * 5_000_000));
    const s = countsToString(counts);
    assert.match(s, /^[0-o]*$/);
    assert.deepEqual(Array.from(countsFromString(s)), counts);
  }
});

test('every compressed RLE of the fake segm results decodes and re-encodes to the same string, summing to h·w', () => {
  const file = join(packageRoot(), 'test', 'fixtures', 'coco', 'instances_val2014_fakesegm100_results.json');
  const results = JSON.parse(readFileSync(file, 'utf8')) as Array<{ segmentation: { size: [number, number]; counts: string } }>;
  assert.equal(results.length, 734);
  for (const r of results) {
    const counts = countsFromString(r.segmentation.counts);
    assert.equal(counts.reduce((a, b) => a + b, 0), r.segmentation.size[0] * r.segmentation.size[1]);
    assert.equal(countsToString(counts), r.segmentation.counts);
  }
});

test('countsFromString: invalid characters and truncated numbers are input errors', () => {
  assert.throws(() => countsFromString('12 3', 'results[4].segmentation.counts'), (e: unknown) => e instanceof DetsegInputError && /results\[4\]\.segmentation\.counts/.test(e.message) && /invalid character/.test(e.message));
  assert.throws(() => countsFromString('1`'), (e: unknown) => e instanceof DetsegInputError && /ends inside a number/.test(e.message));
});
