import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';

const fixtures = join(packageRoot(), 'test', 'fixtures', 'coco');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected_oracle_stats.json'), 'utf8')) as Record<string, Record<string, number>>;

test('detseg eval coco --iou-type segm prints the 12 lines and writes the statistics and per-class AP as JSON', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'detseg-coco-')), 'sub', 'res.json');
  const r = runCli(['eval', 'coco', '--gt', join(fixtures, 'instances_val2014_100.json'), '--dt', join(fixtures, 'instances_val2014_fakesegm100_results.json'), '--iou-type', 'segm', '--json', out]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith(' Average'));
  assert.equal(lines.length, 12);
  assert.equal(lines[0], ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.320');
  assert.equal(lines[11], ' Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.381');
  const json = JSON.parse(readFileSync(out, 'utf8'));
  const want = expected.segm_instances_val2014_100;
  assert.deepEqual(json.stats, [want.AP, want.AP50, want.AP75, want.APs, want.APm, want.APl, want.AR1, want.AR10, want.AR100, want.ARs, want.ARm, want.ARl]);
  assert.equal(json.named.AP, want.AP);
  assert.equal(Object.keys(json.perClass).length, 80);
  assert.ok(json.perClass.person > 0 && json.perClass.person < 1);
  assert.equal(json.iouType, 'segm');
  // atomic write: no temporary file left beside the output
  assert.deepEqual(readdirSync(join(out, '..')), ['res.json']);
});

test('detseg eval coco (bbox default) equals pycocotools; --cat-ids and --no-use-cats are accepted', () => {
  const args = ['eval', 'coco', '--gt', join(fixtures, 'instances_val2014_100.json'), '--dt', join(fixtures, 'instances_val2014_fakebbox100_results.json')];
  const r = runCli(args);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Average Precision {2}\(AP\) @\[ IoU=0\.50 {6}\| area= {3}all \| maxDets=100 \] = 0\.697/);
  const sub = runCli([...args, '--cat-ids', '1', '--no-use-cats']);
  assert.equal(sub.code, 0, sub.stderr);
  assert.equal(sub.stdout.split('\n').filter((l) => l.startsWith(' Average')).length, 12);
});

test('bad input ends with a one-line error naming the file and field, and exit code 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-coco-bad-'));
  const gtFile = join(fixtures, 'instances_val2014_100.json');
  const badDt = join(dir, 'dt.json');
  writeFileSync(badDt, JSON.stringify([{ image_id: 42, category_id: 18, bbox: [1, 2, 3], score: 0.5 }]));
  const out = join(dir, 'out.json');
  const r = runCli(['eval', 'coco', '--gt', gtFile, '--dt', badDt, '--json', out]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^detseg: error: .*dt\.json: results\[0\]\.bbox: must hold 4 numbers/);
  assert.equal(existsSync(out), false);
  const truncated = join(dir, 'trunc.json');
  writeFileSync(truncated, '[{"image_id": 42,');
  const t = runCli(['eval', 'coco', '--gt', gtFile, '--dt', truncated]);
  assert.equal(t.code, 1);
  assert.match(t.stderr, /trunc\.json: malformed JSON/);
  const wrongType = runCli(['eval', 'coco', '--gt', gtFile, '--dt', badDt, '--iou-type', 'keypoints']);
  assert.equal(wrongType.code, 1);
  assert.match(wrongType.stderr, /--iou-type: must be bbox or segm/);
});

test('detseg eval coco: --max-dets 0,0,0, --img-ids the ground truth lacks, an unwritable --json are one-line errors naming the option', () => {
  const gt = join(fixtures, 'toy_cats_gt.json'), dt = join(fixtures, 'toy_cats_dets.json');
  const zero = runCli(['eval', 'coco', '--gt', gt, '--dt', dt, '--max-dets', '0,0,0']);
  assert.equal(zero.code, 1);
  assert.equal(zero.stderr, 'detseg: error: --max-dets: value 0 must be a whole number ≥ 1, got 0\n');
  const ids = runCli(['eval', 'coco', '--gt', gt, '--dt', dt, '--img-ids', '123456789']);
  assert.equal(ids.code, 1);
  assert.equal(ids.stderr, `detseg: error: --img-ids: image ids 123456789 are not in the ground truth ${gt}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'detseg-coco-'));
  const json = runCli(['eval', 'coco', '--gt', gt, '--dt', dt, '--json', dir]);
  assert.equal(json.code, 1);
  assert.equal(json.stderr, `detseg: error: ${dir}: --json: cannot write the output: is a folder (EISDIR)\n`);
  assert.deepEqual(readdirSync(dir), []);
});
