import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runCli } from '../helpers/cli.js';
import { pngHeaderOnly } from '../helpers/png-header.js';
import { slidingWindows } from '../../src/proposals/sliding-window.js';

/** A 96×64 PNG: a red square (20..50, 10..40) and a blue bar (60..90, 30..60) on white. */
async function writeTestImage(dir: string): Promise<string> {
  const w = 96, h = 64;
  const data = Buffer.alloc(w * h * 3, 255);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (x >= 20 && x < 50 && y >= 10 && y < 40) data.set([220, 30, 30], (y * w + x) * 3);
      if (x >= 60 && x < 90 && y >= 30 && y < 60) data.set([30, 40, 200], (y * w + x) * 3);
    }
  const path = join(dir, 'shapes.png');
  await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path);
  return path;
}

test('detseg proposals prints the count and time, writes JSON boxes and an SVG with the image and the top boxes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-proposals-'));
  const image = await writeTestImage(dir);
  const json = join(dir, 'out', 'p.json');
  const svg = join(dir, 'out', 'p.svg');
  const r = runCli(['proposals', image, '--mode', 'single', '--top', '40', '--json', json, '--plot', svg, '--plot-boxes', '7']);
  assert.equal(r.code, 0, r.stderr);
  const m = /selective-search \(single\): (\d+) proposals in ([\d.]+) s/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const doc = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(doc.count, Number(m[1]));
  assert.equal(doc.boxes.length, doc.count);
  assert.ok(doc.count > 2 && doc.count <= 40);
  assert.equal(doc.width, 96);
  for (const [x1, y1, x2, y2] of doc.boxes) assert.ok(0 <= x1 && x1 < x2 && x2 <= 96 && 0 <= y1 && y1 < y2 && y2 <= 64);
  const keys = doc.boxes.map((b: number[]) => b.join(','));
  assert.ok(keys.includes('20,10,50,40') && keys.includes('60,30,90,60'), `both shapes among ${keys.join(' ')}`);
  const text = readFileSync(svg, 'utf8');
  assert.match(text, /<image[^>]+href="data:image\/png;base64,/);
  assert.equal((text.match(/<rect /g) ?? []).length, 7);
});

test('detseg proposals --method sliding-window: all windows when they fit in --top, an evenly spaced subset otherwise', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-proposals-'));
  const image = await writeTestImage(dir);
  const sizes = [{ width: 32, height: 32 }, { width: 48, height: 24 }];
  const all = slidingWindows(96, 64, sizes, 8); // 9×5 + 7×6 = 87 windows
  assert.equal(all.length / 4, 87);
  const asRows = (b: Float32Array) => Array.from({ length: b.length / 4 }, (_, i) => Array.from(b.subarray(4 * i, 4 * i + 4)));
  const full = join(dir, 'all.json');
  let r = runCli(['proposals', image, '--method', 'sliding-window', '--sizes', '32x32,48x24', '--stride', '8', '--json', full]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sliding-window: 87 proposals in/);
  assert.deepEqual(JSON.parse(readFileSync(full, 'utf8')).boxes, asRows(all));
  const some = join(dir, 'some.json');
  r = runCli(['proposals', image, '--method', 'sliding-window', '--sizes', '32x32,48x24', '--stride', '8', '--top', '10', '--json', some]);
  assert.equal(r.code, 0, r.stderr);
  // every (87/10)-th window: indices floor(i·87/10) = 0, 8, 17, 26, 34, 43, 52, 60, 69, 78
  const want = [0, 8, 17, 26, 34, 43, 52, 60, 69, 78].map((j) => asRows(all)[j]);
  assert.deepEqual(JSON.parse(readFileSync(some, 'utf8')).boxes, want);
});

test('detseg proposals: missing file, non-image, bad option → one-line error naming the problem, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-proposals-'));
  const fake = join(dir, 'fake.jpg');
  writeFileSync(fake, 'not a jpeg');
  const cases: [string[], RegExp][] = [
    [['proposals', join(dir, 'missing.png')], /missing\.png: image file is missing/],
    [['proposals', fake], /fake\.jpg: cannot decode the image/],
    [['proposals', fake, '--method', 'edge-boxes'], /--method: unknown method 'edge-boxes'/],
    [['proposals', fake, '--top', '-3'], /--top: must be a whole number/],
    [['proposals', fake, '--mode', 'turbo'], /--mode: unknown mode 'turbo'/],
    [['proposals', fake, '--stride', '0'], /--stride: must be at least 1/],
  ];
  for (const [args, pattern] of cases) {
    const r = runCli(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('detseg proposals: a 16000×16000 PNG is refused from its header (--max-pixels raises the limit); --json and --plot are written both or none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-proposals-'));
  const big = join(dir, 'big.png');
  writeFileSync(big, pngHeaderOnly(16000, 16000));
  const refused = runCli(['proposals', big, '--json', join(dir, 'a.json')]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, `detseg: error: ${big}: image of 16000×16000 = 256000000 pixels is larger than the limit of 4194304 pixels (raise it with --max-pixels)\n`);
  const image = await writeTestImage(dir);
  const small = runCli(['proposals', image, '--max-pixels', '6143']);
  assert.equal(small.code, 1);
  assert.match(small.stderr, /shapes\.png: image of 96×64 = 6144 pixels is larger than the limit of 6143 pixels/);
  assert.match(runCli(['proposals', image, '--max-pixels', '0']).stderr, /^detseg: error: --max-pixels: must be a whole number ≥ 1, got '0'\n$/);
  writeFileSync(join(dir, 'blocker'), '');
  const half = runCli(['proposals', image, '--mode', 'single', '--json', join(dir, 'p.json'), '--plot', join(dir, 'blocker', 'p.svg')]);
  assert.equal(half.code, 1);
  assert.match(half.stderr, /blocker\/p\.svg: --plot: cannot write the output: a part of the path is not a folder \(ENOTDIR\)\n$/);
  assert.deepEqual(readdirSync(dir).sort(), ['big.png', 'blocker', 'shapes.png']);
});
