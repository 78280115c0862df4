import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, defaultMaxPixels, encodeJpeg, encodePng, imageFileNames, imagePaths, letterbox, letterboxBoxes, listImages, normalizeImage, readImageSize, resizeImage, unletterboxBoxes } from '../../src/data/images.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { packageRoot } from '../../src/util/paths.js';
import { mulberry32 } from '../../src/util/random.js';
import { tempDir } from './roundtrip-helpers.js';
import { pngHeaderOnly } from '../helpers/png-header.js';
import { DEFAULT_MAX_PIXELS } from '../../src/util/limits.js';

const images = join(packageRoot(), 'test', 'fixtures', 'data', 'coco128', 'images');

function randomImage(w: number, h: number, seed: number) {
  const r = mulberry32(seed);
  return { data: Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r() * 256)), width: w, height: h };
}

test('decode a JPEG: RGB [H, W, 3] of the header size; PNG encode → decode is lossless', async () => {
  const img = await decodeImage(join(images, '000000000536.jpg'));
  assert.deepEqual([img.width, img.height, img.data.length], [448, 336, 448 * 336 * 3]);
  assert.deepEqual(await readImageSize(join(images, '000000000536.jpg')), { width: 448, height: 336 });
  const small = randomImage(17, 9, 1);
  assert.deepEqual((await decodeImage(await encodePng(small))).data, small.data);
  // JPEG is lossy: a smooth image comes back close.
  const smooth = { data: Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i % 96) * 2), width: 32, height: 32 };
  const back = await decodeImage(await encodeJpeg(smooth, 95));
  const meanErr = back.data.reduce((s, v, i) => s + Math.abs(v - smooth.data[i]), 0) / back.data.length;
  assert.ok(meanErr < 4, `JPEG mean error ${meanErr}`);
  assert.deepEqual((await listImages(images)).map((e) => e.file), ['000000000536.jpg', '000000000643.jpg']);
});

test('decode errors name the file: missing, truncated, not an image', async () => {
  const dir = tempDir();
  await assert.rejects(decodeImage(join(dir, 'none.jpg')), (e: Error) => e instanceof DetsegInputError && /none\.jpg: image file is missing/.test(e.message));
  const bytes = readFileSync(join(images, '000000000536.jpg'));
  writeFileSync(join(dir, 'cut.jpg'), bytes.subarray(0, 2000));
  await assert.rejects(decodeImage(join(dir, 'cut.jpg')), /cut\.jpg: cannot decode the image/);
  writeFileSync(join(dir, 'text.png'), 'hello');
  await assert.rejects(decodeImage(join(dir, 'text.png')), /text\.png: cannot decode the image/);
  await assert.rejects(readImageSize(join(dir, 'text.png')), /text\.png: cannot decode/);
});

/** Bilinear sample of `src` at output pixel (u, v), written out plainly from the convention. */
function naiveBilinear(src: Uint8Array, inW: number, inH: number, outW: number, outH: number, u: number, v: number, k: number): number {
  const clamp = (a: number, lo: number, hi: number) => Math.min(Math.max(a, lo), hi);
  const fx = clamp((u + 0.5) * (inW / outW) - 0.5, 0, inW - 1);
  const fy = clamp((v + 0.5) * (inH / outH) - 0.5, 0, inH - 1);
  const x0 = Math.floor(fx), y0 = Math.floor(fy), x1 = Math.min(x0 + 1, inW - 1), y1 = Math.min(y0 + 1, inH - 1);
  const at = (x: number, y: number) => src[(y * inW + x) * 3 + k];
  const ax = fx - x0, ay = fy - y0;
  return (1 - ay) * ((1 - ax) * at(x0, y0) + ax * at(x1, y0)) + ay * ((1 - ax) * at(x0, y1) + ax * at(x1, y1));
}

test('bilinear resize equals the per-pixel formula (±0.5 rounding) and is the identity at the same size', () => {
  assert.deepEqual(Array.from(resizeImage({ data: Uint8Array.from([0, 0, 0, 100, 100, 100]), width: 2, height: 1 }, 4, 1).data.filter((_, i) => i % 3 === 0)), [0, 25, 75, 100]);
  for (const [w, h, ow, oh] of [[13, 7, 29, 5], [40, 30, 17, 11], [5, 5, 5, 5]]) {
    const img = randomImage(w, h, w * h);
    const out = resizeImage(img, ow, oh);
    for (let v = 0; v < oh; v++) for (let u = 0; u < ow; u++) for (let k = 0; k < 3; k++) {
      const want = naiveBilinear(img.data, w, h, ow, oh, u, v, k);
      assert.ok(Math.abs(out.data[(v * ow + u) * 3 + k] - want) <= 0.5 + 1e-4, `${w}×${h}→${ow}×${oh} at (${u}, ${v}, ${k})`);
    }
    if (w === ow) assert.deepEqual(out.data, img.data);
  }
});

test('letterbox: 640×480 into 320 is scale 1/2 with 40 px bands; boxes map there and back', () => {
  const img = randomImage(640, 480, 5);
  const lb = letterbox(img, 320);
  assert.deepEqual([lb.scaleX, lb.scaleY, lb.padX, lb.padY], [0.5, 0.5, 0, 40]);
  assert.equal(lb.image.data.length, 320 * 320 * 3);
  assert.ok(lb.image.data.subarray(0, 320 * 40 * 3).every((v) => v === 114));
  assert.ok(lb.image.data.subarray(320 * 280 * 3).every((v) => v === 114));
  const resized = resizeImage(img, 320, 240);
  assert.deepEqual(lb.image.data.subarray(320 * 40 * 3, 320 * 280 * 3), resized.data);
  const boxes = Float32Array.from([0, 0, 640, 480, 100.5, 20, 300, 470]);
  assert.deepEqual(Array.from(letterboxBoxes(boxes, lb)), [0, 40, 320, 280, 50.25, 50, 150, 275]);
  assert.deepEqual(unletterboxBoxes(letterboxBoxes(boxes, lb), lb), boxes);
  const tall = letterbox(randomImage(30, 50, 1), 64);
  assert.deepEqual([tall.padX, tall.padY, tall.image.width], [(64 - 38) >> 1, 0, 64]);
  assert.equal(tall.scaleX, 38 / 30);
});

test('normalize: (pixel/255 − mean)/std per channel', () => {
  const img = { data: Uint8Array.from([0, 255, 51, 255, 0, 102]), width: 2, height: 1 };
  const out = normalizeImage(img, [0.5, 0.5, 0], [0.5, 0.25, 1]);
  const want = [-1, 2, 0.2, 1, -2, 0.4];
  out.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${i}: ${v}`));
  assert.deepEqual(Array.from(normalizeImage(img)).map((v) => Math.round(v * 255)), [0, 255, 51, 255, 0, 102]);
});

test('pixel limit: a 16000×16000 PNG of under 1 KB is refused from its header, before decoding; the limit can be raised', async () => {
  const dir = tempDir();
  const big = join(dir, 'big.png');
  writeFileSync(big, pngHeaderOnly(16000, 16000));
  assert.ok(readFileSync(big).length < 1024);
  assert.deepEqual(await readImageSize(big), { width: 16000, height: 16000 });
  await assert.rejects(decodeImage(big), (err: unknown) => err instanceof DetsegInputError && err.message === `${big}: image of 16000×16000 = 256000000 pixels is larger than the limit of ${DEFAULT_MAX_PIXELS} pixels (raise it with --max-pixels or DETSEG_MAX_PIXELS)`);
  // the same header under a raised limit gets as far as decoding, which fails on the missing pixel data: one clean line
  const small = join(dir, 'small.png');
  writeFileSync(small, pngHeaderOnly(64, 64));
  await assert.rejects(decodeImage(small, small, { maxPixels: 64 * 64 }), (err: unknown) => err instanceof DetsegInputError && /^.*small\.png: cannot decode the image: /.test(err.message) && !/[\n\r\u0000-\u001f]/.test(err.message));
  await assert.rejects(decodeImage(small, small, { maxPixels: 64 * 64 - 1 }), /larger than the limit of 4095 pixels/);
  const previous = process.env.DETSEG_MAX_PIXELS;
  try {
    process.env.DETSEG_MAX_PIXELS = '100';
    assert.equal(defaultMaxPixels(), 100);
    process.env.DETSEG_MAX_PIXELS = '1e9';
    assert.throws(() => defaultMaxPixels(), (err: unknown) => err instanceof DetsegInputError && err.message === "DETSEG_MAX_PIXELS: must be a whole number ≥ 1, got '1e9'");
  } finally {
    if (previous === undefined) delete process.env.DETSEG_MAX_PIXELS;
    else process.env.DETSEG_MAX_PIXELS = previous;
  }
});

test('imageFileNames: the plain files with an image extension (any case), sorted; an unreadable folder names itself', () => {
  const dir = tempDir();
  for (const name of ['b.PNG', 'a.jpg', 'notes.txt', 'c.tiff', 'noext']) writeFileSync(join(dir, name), '');
  mkdirSync(join(dir, 'folder.png')); // a folder, not an image
  assert.deepEqual(imageFileNames(dir), ['a.jpg', 'b.PNG', 'c.tiff']);
  const missing = join(dir, 'absent');
  assert.throws(() => imageFileNames(missing), (e: unknown) => e instanceof DetsegInputError && e.message.includes(missing));
});

test('imagePaths: a file is itself, a folder its images as full paths; missing or empty names the path and the option', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'b.png'), '');
  writeFileSync(join(dir, 'a.jpg'), '');
  assert.deepEqual(imagePaths(dir, '--input'), [join(dir, 'a.jpg'), join(dir, 'b.png')]);
  assert.deepEqual(imagePaths(join(dir, 'b.png'), '--input'), [join(dir, 'b.png')]);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  for (const path of [empty, join(dir, 'absent')]) {
    assert.throws(() => imagePaths(path, '--input'), (e: unknown) => e instanceof DetsegInputError && e.message.includes(path) && e.message.includes('--input'));
  }
});
