import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodePng } from '../../src/data/images.js';
import { loadCheckpoint } from '../../src/engine/checkpoint.js';
import { readGreyImage, sunnybrookSamples } from '../../src/models/unet/dataset.js';
import { binaryDice } from '../../src/eval/segmentation.js';
import { mulberry32 } from '../../src/util/random.js';
import { runCli } from '../helpers/cli.js';
import { pngHeaderOnly } from '../helpers/png-header.js';
import { packageRoot } from '../../src/util/paths.js';

/** Writes `count` 32×32 PNG pairs: a bright disc on a dark noisy background, and its mask. */
async function discFolder(dir: string, count: number, seed: number): Promise<Uint8Array[]> {
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'masks'), { recursive: true });
  const random = mulberry32(seed);
  const masks: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const size = 32;
    const cx = 10 + 12 * random();
    const cy = 10 + 12 * random();
    const r = 5 + 4 * random();
    const img = new Uint8Array(size * size * 3);
    const mask = new Uint8Array(size * size * 3);
    const truth = new Uint8Array(size * size);
    for (let i = 0; i < size * size; i++) {
      const inside = (Math.floor(i / size) + 0.5 - cy) ** 2 + ((i % size) + 0.5 - cx) ** 2 <= r * r;
      const grey = Math.round((inside ? 180 : 60) + 40 * (random() - 0.5));
      img.fill(grey, 3 * i, 3 * i + 3);
      mask.fill(inside ? 255 : 0, 3 * i, 3 * i + 3);
      truth[i] = inside ? 1 : 0;
    }
    const name = `disc${String(k).padStart(2, '0')}.png`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'images', name), await encodePng({ data: img, width: size, height: size }));
    writeFileSync(join(dir, 'masks', name), await encodePng({ data: mask, width: size, height: size }));
    masks.push(truth);
  }
  return masks;
}

test('detseg train unet --data then predict unet: checkpoint written, masks of the image size, Dice on new images ≥ 0.8', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-unet-cli-'));
  await discFolder(join(dir, 'train'), 16, 1);
  const truths = await discFolder(join(dir, 'new'), 4, 2);
  const ckpt = join(dir, 'unet.ckpt');
  const trained = runCli(['train', 'unet', '--data', join(dir, 'train'), '--out', ckpt, '--epochs', '25', '--batch', '4', '--crop', '32', '--depth', '2', '--width', '8', '--lr', '3e-3', '--val', '0.25', '--seed', '1']);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /trained 25 epochs \(75 steps\)/);
  const meta = loadCheckpoint(ckpt);
  assert.equal(meta.epoch, 25);
  assert.deepEqual([meta.meta?.format, meta.meta?.kind, meta.meta?.numClasses], ['detseg-segmentation', 'unet', 2], 'masks of only 0 and 255: 2 classes');

  const predicted = runCli(['predict', 'unet', '--checkpoint', ckpt, '--input', join(dir, 'new', 'images'), '--out', join(dir, 'pred')]);
  assert.equal(predicted.code, 0, predicted.stderr);
  const files = readdirSync(join(dir, 'pred')).sort();
  assert.deepEqual(files, ['disc00.png', 'disc01.png', 'disc02.png', 'disc03.png']);
  let dice = 0;
  for (const [k, f] of files.entries()) {
    const m = await readGreyImage(join(dir, 'pred', f));
    assert.equal(m.width, 32);
    assert.equal(m.height, 32);
    dice += binaryDice(Array.from(m.image, (v) => (v > 0.5 ? 1 : 0)), truths[k]);
  }
  assert.ok(dice / files.length >= 0.8, `mean Dice ${dice / files.length}`);
  rmSync(dir, { recursive: true, force: true });
});

test('bad input to train/predict unet: one-line errors naming the folder or option, exit code 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-unet-cli-'));
  mkdirSync(join(dir, 'images'));
  const noMasks = runCli(['train', 'unet', '--data', dir, '--epochs', '1']);
  assert.equal(noMasks.code, 1);
  assert.match(noMasks.stderr, /^detseg: error: .*masks: folder is missing/);
  assert.equal(noMasks.stderr.trim().split('\n').length, 1);
  const badCrop = runCli(['train', 'unet', '--sunnybrook', '--crop', '100', '--depth', '3']);
  assert.equal(badCrop.code, 1);
  assert.match(badCrop.stderr, /--crop: must be a multiple of 8 for unet with these model options, got 100/);
  const both = runCli(['train', 'unet', '--data', dir, '--sunnybrook']);
  assert.match(both.stderr, /exactly one of --data/);
  const badCkpt = runCli(['predict', 'unet', '--checkpoint', join(dir, 'none.ckpt'), '--input', join(dir, 'images')]);
  assert.equal(badCkpt.code, 1);
  assert.match(badCkpt.stderr, /holds no images|none\.ckpt/);
  rmSync(dir, { recursive: true, force: true });
});

test('detseg train unet --sunnybrook holds out whole patients: 0.2 of the 5 embedded patients = 1, every slice of it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-unet-sb-'));
  const trained = runCli(['train', 'unet', '--sunnybrook', '--out', join(dir, 'sb.ckpt'), '--epochs', '1', '--batch', '16', '--crop', '32', '--depth', '1', '--width', '2', '--seed', '4', '--no-progress']);
  assert.equal(trained.code, 0, trained.stderr);
  const line = /(\d+) training and (\d+) validation images \(held-out patients (\w+)\)/.exec(trained.stderr);
  assert.ok(line, trained.stderr);
  const slicesOf = new Map<string, number>();
  for (const s of sunnybrookSamples()) slicesOf.set(s.group!, (slicesOf.get(s.group!) ?? 0) + 1);
  assert.equal(Number(line[2]), slicesOf.get(line[3]), 'all slices of the held-out patient');
  assert.equal(Number(line[1]) + Number(line[2]), 96);
  rmSync(dir, { recursive: true, force: true });
});

test('detseg predict unet on a folder writes every mask or none: a bad second image leaves no mask of the first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-unet-cli-'));
  await discFolder(join(dir, 'set'), 1, 5);
  const images = join(dir, 'set', 'images');
  writeFileSync(join(images, 'disc99.png'), pngHeaderOnly(32, 32)); // a header, no pixels: decoding fails
  const ckpt = join(packageRoot(), 'assets', 'checkpoints', 'unet-lv-fold0.ckpt');
  const r = runCli(['predict', 'unet', '--checkpoint', ckpt, '--input', images, '--out', join(dir, 'pred')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^detseg: error: .*disc99\.png: cannot decode the image: [^\n]*\n$/);
  assert.equal(existsSync(join(dir, 'pred')) ? readdirSync(join(dir, 'pred')).length : 0, 0);
  // without the bad image the same command writes the mask
  rmSync(join(images, 'disc99.png'));
  const ok = runCli(['predict', 'unet', '--checkpoint', ckpt, '--input', images, '--out', join(dir, 'pred')]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(readdirSync(join(dir, 'pred')), ['disc00.png']);
  rmSync(dir, { recursive: true, force: true });
});
