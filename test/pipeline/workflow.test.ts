import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCheckpoint } from '../../src/engine/checkpoint-format.js';
import { evaluateCocoJson } from '../../src/eval/coco.js';
import { packageRoot } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';

/**
 * `detseg train → val → predict --save` on the three file formats a user brings (COCO JSON from
 * `detseg synth`, the same set converted to a Pascal VOC folder and to a YOLO data.yaml), `--resume`
 * after the process is killed, and bad datasets refused before anything is written. Tiny models and
 * runs: these check the workflow, not the quality.
 */

const TINY = JSON.stringify({ backbone: { widths: [8, 16, 32] }, representationSize: 32, maskHeadWidth: 8 });
const TRAIN = ['--epochs', '1', '--batch', '2', '--imgsz', '64', '--model-options', TINY, '--no-progress'];

function ok(r: { code: number; stdout: string; stderr: string }): void {
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
}

/** A COCO set of `count` 64² synthetic images in `dir/coco` (annotations.json + images/). */
function synth(dir: string, count = 6, seed = 0): string {
  ok(runCli(['synth', '--out', join(dir, 'coco'), '--count', String(count), '--size', '64', '--seed', String(seed)]));
  return join(dir, 'coco', 'annotations.json');
}

test('train → val → predict --save on a COCO set: run folder, pycocotools-style numbers equal to evaluating predict\'s JSON, annotated images', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-flow-'));
  try {
    const ann = synth(dir);
    ok(runCli(['train', 'mask-rcnn', '--data', ann, '--val', ann, ...TRAIN, '--project', join(dir, 'runs'), '--name', 'a']));
    const run = join(dir, 'runs', 'a');
    for (const f of ['args.json', 'results.csv', 'results.svg', 'labels.svg', 'PR_curve.svg', 'confusion_matrix.svg', 'weights/last.ckpt', 'weights/best.ckpt']) assert.ok(existsSync(join(run, f)), f);
    const csv = readFileSync(join(run, 'results.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 2);
    assert.match(csv[0], /^epoch,loss,loss_objectness,loss_rpn_box_reg,loss_classifier,loss_box_reg,loss_mask,mAP50,mAP,maskAP50,maskAP,lr,seconds,images_per_s$/);
    const meta = decodeCheckpoint(new Uint8Array(readFileSync(join(run, 'weights', 'best.ckpt'))), 'best').meta!;
    assert.deepEqual(meta.classes, ['circle', 'square', 'triangle']);
    assert.equal(meta.imgsz, 64);
    // a second run with the same name goes to a2
    const weights = join(run, 'weights', 'best.ckpt');
    const val = runCli(['val', 'mask-rcnn', '--weights', weights, '--data', ann, '--json', join(dir, 'val.json')]);
    ok(val);
    assert.match(val.stdout, /^bbox\n Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95/);
    assert.match(val.stdout, /segm\n/);
    assert.match(val.stdout, /class +images +instances +P +R +AP50 +AP\n +all +6 /);
    const stats = (JSON.parse(readFileSync(join(dir, 'val.json'), 'utf8')) as { stats: number[] }).stats;
    ok(runCli(['predict', 'mask-rcnn', '--weights', weights, '--source', join(dir, 'coco', 'images'), '--conf', '0', '--out', join(dir, 'det.json'), '--save', join(dir, 'seen')]));
    // predict's records carry file_name: map them to the ground truth's image ids and evaluate independently
    const gt = JSON.parse(readFileSync(ann, 'utf8')) as { images: Array<{ id: number; file_name: string }> };
    const idOf = new Map(gt.images.map((im) => [im.file_name.replace(/^.*\//, ''), im.id]));
    const det = (JSON.parse(readFileSync(join(dir, 'det.json'), 'utf8')) as Array<Record<string, unknown>>).map((d): Record<string, unknown> => ({ ...d, image_id: idOf.get(d.file_name as string) }));
    assert.ok(det.every((d) => typeof d.category === 'string' && d.image_id !== undefined));
    const again = evaluateCocoJson(gt, det, { iouType: 'bbox' });
    stats.forEach((s, i) => assert.ok(Math.abs(s - again.stats[i]) < 1e-9, `stat ${i}: val ${s}, predict JSON ${again.stats[i]}`));
    assert.deepEqual(readdirSync(join(dir, 'seen')).sort(), readdirSync(join(dir, 'coco', 'images')).map((f) => f.replace(/\.[^.]+$/, '.png')).sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('train → val → predict on a Pascal VOC folder and on a YOLO data.yaml', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-flow-'));
  try {
    const ann = synth(dir);
    // VOC: Annotations/ + JPEGImages/
    ok(runCli(['convert', '--from', 'coco', '--to', 'voc', '--in', ann, '--out', join(dir, 'voc', 'Annotations')]));
    mkdirSync(join(dir, 'voc', 'JPEGImages'));
    for (const f of readdirSync(join(dir, 'coco', 'images'))) writeFileSync(join(dir, 'voc', 'JPEGImages', f), readFileSync(join(dir, 'coco', 'images', f)));
    ok(runCli(['train', 'faster-rcnn', '--data', join(dir, 'voc'), '--val', join(dir, 'voc'), ...TRAIN, '--project', join(dir, 'runs'), '--name', 'voc']));
    ok(runCli(['val', 'faster-rcnn', '--weights', join(dir, 'runs', 'voc', 'weights', 'last.ckpt'), '--data', join(dir, 'voc')]));
    // YOLO: images/ and labels/ side by side, data.yaml naming them
    mkdirSync(join(dir, 'yolo', 'images'), { recursive: true });
    for (const f of readdirSync(join(dir, 'coco', 'images'))) writeFileSync(join(dir, 'yolo', 'images', f), readFileSync(join(dir, 'coco', 'images', f)));
    ok(runCli(['convert', '--from', 'coco', '--to', 'yolo', '--in', ann, '--out', join(dir, 'yolo', 'labels')]));
    writeFileSync(join(dir, 'yolo', 'data.yaml'), 'path: .\ntrain: images\nval: images\nnames:\n  0: circle\n  1: square\n  2: triangle\n');
    const r = runCli(['train', 'faster-rcnn', '--data', join(dir, 'yolo', 'data.yaml'), ...TRAIN, '--project', join(dir, 'runs'), '--name', 'yolo']);
    ok(r);
    assert.match(r.stdout, /class +images +instances/, 'the data.yaml val split is validated');
    const p = runCli(['predict', 'faster-rcnn', '--weights', join(dir, 'runs', 'yolo', 'weights', 'last.ckpt'), '--source', join(dir, 'yolo', 'images'), '--out', join(dir, 'y.json')]);
    ok(p);
    assert.match(p.stderr, /ms preprocess, [\d.]+ ms inference, [\d.]+ ms postprocess/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs the CLI and kills it (SIGKILL) as soon as `file` exists; resolves when it has exited. */
function runUntil(args: string[], file: string): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'src', 'cli', 'bin.js'), ...args], { stdio: 'ignore' });
    const timer = setInterval(() => {
      if (existsSync(file)) child.kill('SIGKILL');
    }, 20);
    child.on('exit', () => {
      clearInterval(timer);
      resolveRun();
    });
    child.on('error', reject);
  });
}

test('--resume after the process is killed ends with the same weights as an uninterrupted run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-resume-'));
  // one wasm thread: the engine's kernels are then deterministic, so "the same" means bit for bit
  const threads = process.env.DETSEG_THREADS;
  process.env.DETSEG_THREADS = '1';
  try {
    const ann = synth(dir, 4);
    const args = ['faster-rcnn', '--data', ann, '--val', 'none', '--epochs', '3', '--batch', '2', '--imgsz', '64', '--model-options', TINY, '--no-progress', '--seed', '3', '--project', join(dir, 'runs')];
    ok(runCli(['train', ...args, '--name', 'whole']));
    await runUntil(['train', ...args, '--name', 'killed'], join(dir, 'runs', 'killed', 'weights', 'last.ckpt'));
    const partial = decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'runs', 'killed', 'weights', 'last.ckpt'))), 'killed');
    assert.ok(partial.epoch < 3, `killed after epoch ${partial.epoch}`);
    ok(runCli(['train', 'faster-rcnn', '--resume', join(dir, 'runs', 'killed'), '--no-progress']));
    const a = decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'runs', 'whole', 'weights', 'last.ckpt'))), 'whole');
    const b = decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'runs', 'killed', 'weights', 'last.ckpt'))), 'killed');
    assert.equal(b.epoch, 3);
    assert.equal(a.model.length, b.model.length);
    a.model.forEach((t, i) => assert.deepEqual(b.model[i].values, t.values, t.name));
  } finally {
    if (threads === undefined) delete process.env.DETSEG_THREADS;
    else process.env.DETSEG_THREADS = threads;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad dataset stops with one line naming the file and the record, before training, and writes no run folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-bad-'));
  try {
    const ann = synth(dir, 3);
    const coco = JSON.parse(readFileSync(ann, 'utf8')) as { images: Array<Record<string, unknown>>; annotations: Array<Record<string, unknown>>; categories: unknown[] };
    const variant = (name: string, change: (c: typeof coco) => void): string => {
      const c = structuredClone(coco);
      change(c);
      const file = join(dir, 'coco', `${name}.json`);
      writeFileSync(file, JSON.stringify(c));
      return file;
    };
    const cases: Array<[string, RegExp]> = [
      [variant('missing', (c) => void (c.images[1].file_name = 'nope.png')), /missing\.json: file_name: images\[1\] \(nope\.png\): image file not found/],
      [variant('outside', (c) => void (c.annotations[0].bbox = [50, 50, 40, 10])), /outside\.json.*(outside|border)/],
      [variant('flat', (c) => void (c.annotations[0].bbox = [10, 10, 0, 5])), /flat\.json/],
      [variant('unknown', (c) => void (c.annotations[0].category_id = 99)), /unknown\.json.*(99|category)/],
      [variant('noimages', (c) => void ((c.images = []), (c.annotations = []))), /noimages\.json.*(no images|images)/],
      [variant('noobjects', (c) => void (c.annotations = [])), /noobjects\.json.*annotations: holds no objects/],
    ];
    const empty = join(dir, 'coco', 'empty.json');
    writeFileSync(empty, '');
    cases.push([empty, /empty\.json/]);
    for (const [file, message] of cases) {
      const r = runCli(['train', 'faster-rcnn', '--data', file, '--images', join(dir, 'coco', 'images'), ...TRAIN, '--project', join(dir, 'runs')]);
      assert.equal(r.code, 1, `${file}: ${r.stdout}${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], message);
      assert.ok(!existsSync(join(dir, 'runs')), `${file}: no run folder`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
