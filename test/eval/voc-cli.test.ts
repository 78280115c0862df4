import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';

const FIXTURES = join(packageRoot(), 'test', 'fixtures', 'voc');

test('detseg eval voc: table, JSON and plots on the Padilla sample give the published 11-point AP@0.3', () => {
  const out = mkdtempSync(join(tmpdir(), 'detseg-voc-cli-'));
  const dir = join(FIXTURES, 'padilla_voc_sample');
  const r = runCli(['eval', 'voc', '--gt', join(dir, 'groundtruths'), '--dt', join(dir, 'detections'), '--iou', '0.3', '--interp', '11', '--plus-one', '--json', join(out, 'r.json'), '--plots', join(out, 'plots')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /person\s+15\s+24\s+7\s+17\s+26\.84/);
  assert.match(r.stdout, /mAP@0\.3 \(11-point, \+1 pixel\): 26\.84 %/);
  const json = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8'));
  assert.ok(Math.abs(json.mAP - 0.2683982683) < 1e-10);
  assert.deepEqual(json.classes.map((c: { className: string; tp: number; fp: number }) => [c.className, c.tp, c.fp]), [['person', 7, 17]]);
  assert.deepEqual(readdirSync(join(out, 'plots')).sort(), ['ap_per_class.svg', 'confusion_matrix.svg', 'f1_confidence.svg', 'pr_curves.svg', 'pr_person.svg']);
  assert.match(readFileSync(join(out, 'plots', 'pr_person.svg'), 'utf8'), /person AP 26\.8 %/);
});

test('detseg eval voc: VOC XML ground truth and xyxy detections (toy cats, AP@0.75 all-point 50.97 %)', () => {
  const dir = join(FIXTURES, 'voc_toy_cats');
  const r = runCli(['eval', 'voc', '--gt', join(dir, 'gts_vocpascal_format'), '--dt', join(dir, 'dets_classname_abs_xyx2y2'), '--format', 'xyxy', '--iou', '0.75']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /cat\s+12\s+12\s+8\s+4\s+50\.97/);
});

test('detseg eval voc: bad input ends with a one-line error naming the file/line or flag, exit code 1', () => {
  const dir = join(FIXTURES, 'padilla_voc_sample');
  const bad = runCli(['eval', 'voc', '--gt', join(dir, 'groundtruths'), '--dt', join(dir, 'detections'), '--iou', '1.5']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^detseg: error: --iou: must be a number in \[0, 1\], got 1\.5\n$/);
  const interp = runCli(['eval', 'voc', '--gt', join(dir, 'groundtruths'), '--dt', join(dir, 'detections'), '--interp', '12']);
  assert.equal(interp.code, 1);
  assert.match(interp.stderr, /--interp: must be 'all' or '11', got '12'/);
  const root = mkdtempSync(join(tmpdir(), 'detseg-voc-cli-'));
  mkdirSync(join(root, 'gt'));
  mkdirSync(join(root, 'dt'));
  writeFileSync(join(root, 'gt', 'a.txt'), 'cat 0 0 10 10\n');
  writeFileSync(join(root, 'dt', 'a.txt'), 'cat 0.9 0 0 10 10\ncat 0.8 0 0 ten 10\n');
  const line = runCli(['eval', 'voc', '--gt', join(root, 'gt'), '--dt', join(root, 'dt')]);
  assert.equal(line.code, 1);
  assert.match(line.stderr, /^detseg: error: .*dt\/a\.txt:2: width: 'ten' is not a finite number\n$/);
  // a class detected but absent from the ground truth: warned about, left out of the mAP
  writeFileSync(join(root, 'dt', 'a.txt'), 'cat 0.9 0 0 10 10\ndog 0.8 0 0 10 10\n');
  const extra = runCli(['eval', 'voc', '--gt', join(root, 'gt'), '--dt', join(root, 'dt')]);
  assert.equal(extra.code, 0, extra.stderr);
  assert.match(extra.stderr, /1 detections of class 'dog', which has no ground truth: left out of the mAP/);
  assert.match(extra.stdout, /mAP@0\.5 \(all-point\): 100\.00 %/);
});

test('detseg eval voc --json --plots: all outputs or none — a plots folder that cannot be made leaves no JSON either', () => {
  const out = mkdtempSync(join(tmpdir(), 'detseg-voc-cli-'));
  const dir = join(FIXTURES, 'padilla_voc_sample');
  writeFileSync(join(out, 'plots'), 'a file where the plots folder should go');
  const r = runCli(['eval', 'voc', '--gt', join(dir, 'groundtruths'), '--dt', join(dir, 'detections'), '--json', join(out, 'r.json'), '--plots', join(out, 'plots')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^detseg: error: ${join(out, 'plots').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[a-z_]+\\.svg: --plots: cannot write the output: .*\\n$`));
  assert.deepEqual(readdirSync(out), ['plots']);
});
