import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeImage, encodePng } from '../../../src/data/images.js';
import { syntheticSample } from '../../../src/data/synthetic.js';
import { loadSunnybrook } from '../../../src/data/sunnybrook.js';
import { loadCheckpoint } from '../../../src/engine/checkpoint.js';
import { initEngine } from '../../../src/engine/setup.js';
import { syntheticLabelDataset } from '../../../src/models/segmentation-data.js';
import { segmentationModelFromCheckpoint } from '../../../src/models/segmentation-registry.js';
import { evaluateSegmentation, predictLabelMaps } from '../../../src/models/segmentation-train.js';
import { loadUNetCheckpoint } from '../../../src/models/unet/checkpoint-meta.js';
import { predictFullMasks } from '../../../src/models/unet/dataset.js';
import { packageRoot } from '../../../src/util/paths.js';
import { runCli } from '../../helpers/cli.js';

const lvCheckpoint = (fold: number) => join(packageRoot(), 'assets', 'checkpoints', `unet-lv-fold${fold}.ckpt`);

/** Writes images `0 … count−1` of synthetic seed `seed` as PNGs into `dir`. */
async function syntheticPngs(dir: string, seed: number, count: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = syntheticSample(seed, i);
    names.push(`img${i}.png`);
    writeFileSync(join(dir, names[i]), await encodePng({ data: s.image, width: s.width, height: s.height }));
  }
  return names;
}

/** The label of every pixel of a predicted PNG (grey level; 255 → 1 for 2 classes). */
async function readLabels(file: string, numClasses: number): Promise<Uint8Array> {
  const rgb = await decodeImage(file);
  return Uint8Array.from({ length: rgb.width * rgb.height }, (_, i) => (numClasses === 2 ? rgb.data[3 * i] / 255 : rgb.data[3 * i]));
}

const nullIfNaN = (v: number) => (Number.isNaN(v) ? null : v);

for (const kind of ['deeplab', 'segformer']) {
  test(`detseg train/val/predict ${kind} on 8 synthetic images: val JSON = evaluateSegmentation, label PNGs = predictLabelMaps`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `detseg-seg-${kind}-`));
    const ckpt = join(dir, `${kind}.ckpt`);
    const trained = runCli(['train', kind, '--synthetic', '8', '--val-images', '3', '--epochs', '1', '--crop', '64', '--batch', '4', '--model-options', '{}', '-o', ckpt, '--threads', '1', '--no-progress']);
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stdout, /^trained 1 epochs \(2 steps\): loss \d+\.\d{4}, held-out mIoU (\d\.\d{4}) → /);
    assert.match(trained.stderr, new RegExp(`^${kind} [\\d,]+ parameters, 4 classes \\(background, circle, square, triangle\\); 8 training and 3 validation images`));
    assert.match(trained.stderr, /epoch 1\/1: loss \d+\.\d+, .* val_miou \d\.\d{4}/);
    const data = loadCheckpoint(ckpt);
    assert.deepEqual([data.meta?.format, data.meta?.kind, data.meta?.numClasses, data.meta?.inChannels, data.epoch], ['detseg-segmentation', kind, 4, 3, 1]);

    const json = join(dir, 'val.json');
    const val = runCli(['val', kind, '--checkpoint', ckpt, '--synthetic', '--val-images', '3', '--json', json, '--threads', '1']);
    assert.equal(val.code, 0, val.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8'));

    const names = await syntheticPngs(join(dir, 'images'), 2, 2);
    const pred = runCli(['predict', kind, '--checkpoint', ckpt, '--input', join(dir, 'images'), '--out', join(dir, 'pred'), '--threads', '1']);
    assert.equal(pred.code, 0, pred.stderr);
    assert.deepEqual(readdirSync(join(dir, 'pred')).sort(), names);

    // the same checkpoint and images in this process, on the same engine and thread count
    await initEngine({ threads: 1 });
    const { model, family, meta } = segmentationModelFromCheckpoint(data, ckpt);
    try {
      const held = syntheticLabelDataset(2, 3);
      const { metrics } = evaluateSegmentation(model, held.samples, [0, 1, 2], 4, family.multiple(meta.options));
      assert.equal(report.images, 3);
      assert.equal(report.pixelAccuracy, metrics.pixelAccuracy);
      assert.equal(report.meanIou, metrics.meanIou);
      assert.equal(report.meanDice, metrics.meanDice);
      assert.deepEqual(report.classes.map((c: { name: string }) => c.name), held.classNames);
      assert.deepEqual(report.classes.map((c: { iou: number | null }) => c.iou), Array.from(metrics.iou, nullIfNaN));
      assert.deepEqual(report.classes.map((c: { dice: number | null }) => c.dice), Array.from(metrics.dice, nullIfNaN));
      // the training's last held-out mIoU is the same number, to the 4 printed decimals
      assert.equal(/held-out mIoU (\d\.\d{4})/.exec(trained.stdout)![1], metrics.meanIou.toFixed(4));
      const expected = predictLabelMaps(model, held.samples.slice(0, 2), family.multiple(meta.options));
      for (const [i, name] of names.entries()) assert.deepEqual(await readLabels(join(dir, 'pred', name), 4), expected[i], name);
    } finally {
      model.dispose();
    }
    rmSync(dir, { recursive: true, force: true });
  });
}

test('detseg val unet on a shipped LV checkpoint and its held-out patient gives the practical\'s published Dice and IoU (docs/segmentation.md)', () => {
  // fold 0 (SCD0000101): Dice 0.8732, IoU 0.7750; fold 3 (SCD0000401): 0.9376, 0.8826
  for (const [fold, patient, dice, iou] of [[0, 'SCD0000101', '0.8732', '0.7750'], [3, 'SCD0000401', '0.9376', '0.8826']] as const) {
    const r = runCli(['val', 'unet', '--checkpoint', lvCheckpoint(fold), '--sunnybrook', '--fold', String(fold), '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^unet on 18 images \\(held-out patients ${patient}\\), 2 classes`));
    assert.match(r.stdout, new RegExp(`\\nleft ventricle\\s+${iou}\\s+${dice}\\n`));
  }
});

test('detseg predict unet on a shipped LV checkpoint: the 0/255 masks of the binary U-Net (logit > 0)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-seg-lv-'));
  mkdirSync(join(dir, 'in'));
  const slices = loadSunnybrook().slices.slice(0, 2);
  for (const [k, s] of slices.entries()) {
    const rgb = new Uint8Array(s.width * s.height * 3);
    for (let i = 0; i < s.width * s.height; i++) rgb.fill(Math.round(255 * s.image[i]), 3 * i, 3 * i + 3);
    writeFileSync(join(dir, 'in', `slice${k}.png`), await encodePng({ data: rgb, width: s.width, height: s.height }));
  }
  const r = runCli(['predict', 'unet', '--checkpoint', lvCheckpoint(1), '--input', join(dir, 'in'), '--out', join(dir, 'out'), '--threads', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^2 label map\(s\) written to .* \(pixels per class: background \d+, left ventricle \d+\)/);
  await initEngine({ threads: 1 });
  const { model, depth } = loadUNetCheckpoint(lvCheckpoint(1));
  try {
    for (let k = 0; k < 2; k++) {
      const rgb = await decodeImage(join(dir, 'in', `slice${k}.png`));
      const image = Float32Array.from({ length: rgb.width * rgb.height }, (_, i) => (rgb.data[3 * i] + rgb.data[3 * i + 1] + rgb.data[3 * i + 2]) / (3 * 255));
      const [expected] = predictFullMasks(model, [{ image, height: rgb.height, width: rgb.width }], 1 << depth);
      const got = await readLabels(join(dir, 'out', `slice${k}.png`), 2);
      assert.deepEqual(got, expected);
      assert.ok(expected.reduce((a, b) => a + b, 0) > 0, 'some left ventricle predicted');
    }
  } finally {
    model.dispose();
  }
  rmSync(dir, { recursive: true, force: true });
});

test('detseg train unet --sunnybrook --fold k holds out every slice of patient k', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-seg-fold-'));
  const r = runCli(['train', 'unet', '--sunnybrook', '--fold', '2', '--crop', '32', '--depth', '1', '--width', '2', '--epochs', '1', '--batch', '48', '-o', join(dir, 'u.ckpt'), '--threads', '1', '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  const { slices, patients } = loadSunnybrook();
  const held = slices.filter((s) => s.patientId === patients[2]).length;
  assert.match(r.stderr, new RegExp(`2 classes \\(background, left ventricle\\); ${96 - held} training and ${held} validation images \\(held-out patients ${patients[2]}\\)`));
  const meta = loadCheckpoint(join(dir, 'u.ckpt')).meta!;
  assert.deepEqual([meta.kind, meta.options, meta.inChannels, meta.crop], ['unet', { depth: 1, baseWidth: 2 }, 1, 32]);
  rmSync(dir, { recursive: true, force: true });
});

test('bad input to train/val/predict <segmentation kind>: one-line errors naming the option or file and field, exit code 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-seg-bad-'));
  const fails = (args: string[], pattern: RegExp) => {
    const r = runCli(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.match(r.stderr, /^detseg: error: /);
    assert.match(r.stderr, pattern);
  };
  fails(['train', 'fcn', '--synthetic', '4', '--model-options', '{"stages": 3'], /--model-options: must be a JSON object of model options, got '\{"stages": 3'/);
  fails(['train', 'segformer', '--synthetic', '4', '--crop', '48'], /--crop: must be a multiple of 32 for segformer with these model options, got 48/);
  fails(['train', 'unet', '--synthetic', '4', '--depth', '4', '--crop', '40'], /--crop: must be a multiple of 16 for unet/);
  fails(['train', 'deeplab'], /--data: give exactly one of --data <dir>, --synthetic <n> and --sunnybrook \[dir\]/);
  fails(['val', 'deeplab', '--checkpoint', lvCheckpoint(0)], /--data: give exactly one of --data <dir>, --synthetic \[n\]/);
  fails(['train', 'fcn', '--synthetic', '4', '--fold', '1'], /--fold: holds out a Sunnybrook patient/);
  fails(['train', 'fcn', '--sunnybrook', '--fold', '5', '--crop', '32'], /--fold: must be a whole number in 0\.\.4, got '5'/);
  // a checkpoint of another format, and of another kind
  fails(['val', 'fcn', '--checkpoint', lvCheckpoint(0), '--sunnybrook'], /unet-lv-fold0\.ckpt: meta\.format: not a segmentation checkpoint \(meta\.format "detseg-unet-lv"; expected "detseg-segmentation"\)/);
  const detector = join(packageRoot(), 'assets', 'checkpoints', 'detector-ssd.ckpt');
  fails(['predict', 'segformer', '--checkpoint', detector, '--input', lvCheckpoint(0)], /detector-ssd\.ckpt: meta\.format: not a segmentation checkpoint/);
  const ckpt = join(dir, 'fcn.ckpt');
  const trained = runCli(['train', 'fcn', '--synthetic', '2', '--val-images', '0', '--epochs', '1', '--crop', '32', '--model-options', '{"baseWidth":2,"stages":2}', '-o', ckpt, '--threads', '1', '--no-progress']);
  assert.equal(trained.code, 0, trained.stderr);
  fails(['val', 'segformer', '--checkpoint', ckpt, '--synthetic'], /fcn\.ckpt: meta\.kind: is a "fcn" checkpoint, not segformer/);
  // a mask label that the checkpoint does not have (the LV checkpoint has 2 classes)
  mkdirSync(join(dir, 'set', 'images'), { recursive: true });
  mkdirSync(join(dir, 'set', 'masks'));
  const grey = (v: number) => new Uint8Array(16 * 16 * 3).fill(v);
  writeFileSync(join(dir, 'set', 'images', 'a.png'), await encodePng({ data: grey(90), width: 16, height: 16 }));
  const mask = grey(0);
  mask.fill(3, 3 * (16 * 5 + 7), 3 * (16 * 5 + 8));
  writeFileSync(join(dir, 'set', 'masks', 'a.png'), await encodePng({ data: mask, width: 16, height: 16 }));
  fails(['predict', 'unet', '--checkpoint', join(dir, 'missing.ckpt'), '--input', join(dir, 'set', 'images')], /missing\.ckpt: cannot read checkpoint \(ENOENT\)/);
  fails(['val', 'unet', '--checkpoint', lvCheckpoint(0), '--data', join(dir, 'set')], new RegExp(`${join(dir, 'set', 'masks', 'a.png').replace(/[.]/g, '\\.')}: label: pixel 7, 5 has label 3, but the checkpoint .*unet-lv-fold0\\.ckpt has 2 classes \\(0…1\\)`));
  rmSync(dir, { recursive: true, force: true });
});
