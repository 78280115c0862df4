import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelCount, convertColourSpace, rgbToHsv, srgbToLab } from '../../src/proposals/colour-spaces.js';
import { DetsegInputError } from '../../src/util/errors.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('srgbToLab matches published CIELAB (D65) values', () => {
  // Reference values: Bruce Lindbloom's colour calculator / CIE 15:2004, sRGB with D65 white.
  const cases: [number[], number[]][] = [
    [[255, 255, 255], [100, 0, 0]],
    [[0, 0, 0], [0, 0, 0]],
    [[255, 0, 0], [53.2408, 80.0925, 67.2032]],
    [[0, 255, 0], [87.7347, -86.1827, 83.1793]],
    [[0, 0, 255], [32.2970, 79.1875, -107.8602]],
    [[128, 128, 128], [53.5850, 0, 0]],
  ];
  for (const [rgb, lab] of cases) {
    const got = srgbToLab(rgb[0], rgb[1], rgb[2]);
    for (let i = 0; i < 3; i++) close(got[i], lab[i], 0.02, `${rgb} channel ${i}`);
  }
});

test('rgbToHsv: primaries, grey and a mixed colour worked by hand', () => {
  assert.deepEqual(rgbToHsv(255, 0, 0), [0, 1, 1]);
  assert.deepEqual(rgbToHsv(0, 255, 0), [1 / 3, 1, 1]);
  assert.deepEqual(rgbToHsv(0, 0, 255), [2 / 3, 1, 1]);
  assert.deepEqual(rgbToHsv(0, 0, 0), [0, 0, 0]);
  assert.deepEqual(rgbToHsv(51, 51, 51), [0, 0, 0.2]);
  // (255, 0, 127.5): max r, hue = (g − b)/delta/6 = −0.5/6 → 1 − 1/12 (magenta-red)
  const [h, s, v] = rgbToHsv(255, 0, 127.5);
  close(h, 11 / 12, 1e-12, 'hue');
  assert.equal(s, 1);
  assert.equal(v, 1);
});

test('convertColourSpace puts every space on 0–255 with the right channel count', () => {
  const rgb = Uint8Array.from([255, 0, 0, 30, 60, 90]);
  assert.deepEqual(Array.from(convertColourSpace(rgb, 'rgb')), [255, 0, 0, 30, 60, 90]);
  assert.deepEqual(Array.from(convertColourSpace(rgb, 'i')), [85, 60]);
  const rgi = convertColourSpace(rgb, 'rgi');
  assert.deepEqual(Array.from(rgi.subarray(0, 3)), [255, 0, 85]);
  close(rgi[3], (255 * 30) / 180, 1e-4, 'r of (30,60,90)');
  close(rgi[4], (255 * 60) / 180, 1e-4, 'g of (30,60,90)');
  assert.deepEqual(Array.from(convertColourSpace(rgb, 'hsv').subarray(0, 3)), [0, 255, 255]);
  close(convertColourSpace(rgb, 'h')[1], 255 * (7 / 12), 1e-4, 'hue of (30,60,90)'); // max b: ((r−g)/delta + 4)/6 = (−0.5 + 4)/6
  const lab = convertColourSpace(Uint8Array.from([255, 255, 255]), 'lab');
  close(lab[0], 255, 1e-3, 'L of white');
  close(lab[1], 128, 1e-3, 'a of white');
  close(lab[2], 128, 1e-3, 'b of white');
  assert.equal(channelCount('h'), 1);
  assert.equal(channelCount('lab'), 3);
});

test('convertColourSpace rejects a ragged array and an unknown space', () => {
  assert.throws(() => convertColourSpace(new Uint8Array(4), 'rgb'), DetsegInputError);
  assert.throws(() => convertColourSpace(new Uint8Array(3), 'xyz' as never), (e: unknown) => e instanceof DetsegInputError && /xyz/.test(e.message));
});
