import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluatePanopticFiles } from '../../src/eval/panoptic-io.js';
import type { PanopticResult } from '../../src/eval/panoptic.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';
import { sharedData } from '../helpers/shared.js';

/**
 * Acceptance on `../shared/data/panoptic_fixture`: the numbers of panopticapi's pq_compute (its
 * README and expected_pq.json), counts exactly and floats within 1e-12, and the inputs it refuses.
 */

interface ExpectedGroup {
  pq: number;
  sq: number;
  rq: number;
  n: number;
}
interface ExpectedSet {
  pred_json: string;
  pred_folder: string;
  error: string | null;
  All: ExpectedGroup;
  Things: ExpectedGroup;
  Stuff: ExpectedGroup;
  per_category: Record<string, { name: string; isthing: number; pq: number; sq: number; rq: number; tp: number; fp: number; fn: number; iou_sum: number }>;
}

const TOL = 1e-12;

function assertMatchesOracle(r: PanopticResult, want: ExpectedSet, name: string): number {
  let maxDiff = 0;
  const close = (a: number, b: number, what: string) => {
    const d = Math.abs(a - b);
    maxDiff = Math.max(maxDiff, d);
    assert.ok(d <= TOL, `${name} ${what}: ${a} vs panopticapi ${b}`);
  };
  for (const g of ['All', 'Things', 'Stuff'] as const) {
    assert.equal(r[g].n, want[g].n, `${name} ${g}.n`);
    for (const k of ['pq', 'sq', 'rq'] as const) close(r[g][k], want[g][k], `${g}.${k}`);
  }
  assert.deepEqual(Object.keys(r.perClass).sort(), Object.keys(want.per_category).sort(), `${name}: counted categories`);
  for (const [id, w] of Object.entries(want.per_category)) {
    const c = r.perClass[id];
    assert.deepEqual([c.name, c.isthing, c.tp, c.fp, c.fn], [w.name, w.isthing, w.tp, w.fp, w.fn], `${name} category ${id}`);
    close(c.iou, w.iou_sum, `category ${id} iou`);
    for (const k of ['pq', 'sq', 'rq'] as const) close(c[k], w[k], `category ${id} ${k}`);
  }
  return maxDiff;
}

function fixtureFiles(dir: string, set: ExpectedSet) {
  return { gtJson: join(dir, 'panoptic_examples.json'), gtDir: join(dir, 'panoptic_examples'), predJson: join(dir, set.pred_json), predDir: join(dir, set.pred_folder) };
}

test('evaluatePanopticFiles gives panopticapi\'s numbers on every prediction set of the fixture (counts exactly, floats within 1e-12)', async (t) => {
  const dir = sharedData(t, 'panoptic_fixture');
  if (dir === undefined) return;
  const expected = JSON.parse(readFileSync(join(dir, 'expected_pq.json'), 'utf8')) as { sets: Record<string, ExpectedSet> };
  assert.deepEqual(Object.keys(expected.sets).sort(), ['erode_dilate', 'identity', 'wrong_category']);
  for (const [name, set] of Object.entries(expected.sets)) {
    assert.equal(set.error, null);
    const r = await evaluatePanopticFiles(fixtureFiles(dir, set));
    const maxDiff = assertMatchesOracle(r, set, name);
    t.diagnostic(`${name}: PQ ${r.All.pq} (panopticapi ${set.All.pq}), largest float difference ${maxDiff}`);
    // The same with the separate categories file (panoptic_coco_categories.json holds the same list).
    const withCats = await evaluatePanopticFiles({ ...fixtureFiles(dir, set), categories: join(dir, 'panoptic_coco_categories.json') });
    assert.deepEqual(withCats, r);
  }
});

test('detseg eval panoptic prints panopticapi\'s table and writes {All, Things, Stuff, perClass} atomically', (t) => {
  const dir = sharedData(t, 'panoptic_fixture');
  if (dir === undefined) return;
  const expected = JSON.parse(readFileSync(join(dir, 'expected_pq.json'), 'utf8')) as { sets: Record<string, ExpectedSet> };
  const set = expected.sets.erode_dilate;
  const f = fixtureFiles(dir, set);
  const out = join(mkdtempSync(join(tmpdir(), 'detseg-pq-')), 'sub', 'pq.json');
  const r = runCli(['eval', 'panoptic', '--gt-json', f.gtJson, '--gt-dir', f.gtDir, '--pred-json', f.predJson, '--pred-dir', f.predDir, '--json', out]);
  assert.equal(r.code, 0, r.stderr);
  // panopticapi prints PQ 64.7 SQ 67.0 RQ 84.4 for this set ('{:5.1f}' of 100 × its numbers).
  assert.deepEqual(r.stdout.split('\n').slice(0, 5), [
    '          |    PQ     SQ     RQ     N',
    '--------------------------------------',
    'All       |  64.7   67.0   84.4     8',
    'Things    |  64.4   69.0   93.9     4',
    'Stuff     |  64.9   64.9   75.0     4',
  ]);
  const json = JSON.parse(readFileSync(out, 'utf8')) as PanopticResult;
  assert.deepEqual(Object.keys(json), ['All', 'Things', 'Stuff', 'perClass']);
  assertMatchesOracle(json, set, 'erode_dilate (JSON)');
  assert.deepEqual(readdirSync(join(out, '..')), ['pq.json']);
});

/** A copy of the fixture's ground truth and `erode_dilate` predictions, with `mutate` applied to the prediction JSON. */
function brokenCopy(dir: string, mutate: (pred: any) => void): { gtJson: string; gtDir: string; predJson: string; predDir: string } {
  const out = mkdtempSync(join(tmpdir(), 'detseg-pq-bad-'));
  cpSync(join(dir, 'panoptic_examples'), join(out, 'gt'), { recursive: true });
  cpSync(join(dir, 'predictions_erode_dilate'), join(out, 'pred'), { recursive: true });
  cpSync(join(dir, 'panoptic_examples.json'), join(out, 'gt.json'));
  const pred = JSON.parse(readFileSync(join(dir, 'predictions_erode_dilate.json'), 'utf8'));
  mutate(pred);
  writeFileSync(join(out, 'pred.json'), JSON.stringify(pred));
  return { gtJson: join(out, 'gt.json'), gtDir: join(out, 'gt'), predJson: join(out, 'pred.json'), predDir: join(out, 'pred') };
}

test('refuses what panopticapi refuses, with one line naming the file, the image and the segment; the CLI exits 1 and writes nothing', async (t) => {
  const dir = sharedData(t, 'panoptic_fixture');
  if (dir === undefined) return;
  const cases: [string, (pred: any) => void, RegExp][] = [
    ['no prediction for an image', (p) => p.annotations.splice(1, 1), /pred\.json: annotations: image 439180: no prediction for this image/],
    ['a PNG segment missing from the JSON', (p) => p.annotations[0].segments_info.splice(2, 1), /pred[/\\]000000142238\.png: image 142238, segment 2035955: the id is in the PNG but not in segments_info/],
    ['a JSON segment missing from the PNG', (p) => p.annotations[1].segments_info.push({ id: 123, category_id: 1, iscrowd: 0 }), /pred\.json: annotations\[1\]\.segments_info\[\d+\]: image 439180, segment 123: listed in segments_info but absent from the PNG/],
    ['an unknown category', (p) => (p.annotations[0].segments_info[0].category_id = 999), /pred\.json: annotations\[0\]\.segments_info\[0\]\.category_id: image 142238, segment 3937500: unknown category_id 999/],
    ['a duplicate segment id', (p) => p.annotations[0].segments_info.push({ ...p.annotations[0].segments_info[0] }), /image 142238, segment 3937500: duplicate segment id/],
    ['a missing PNG', (p) => (p.annotations[1].file_name = 'missing.png'), /missing\.png: image 439180: the segmentation PNG is missing/],
  ];
  for (const [what, mutate, pattern] of cases) {
    await assert.rejects(evaluatePanopticFiles(brokenCopy(dir, mutate)), (e: unknown) => {
      assert.ok(e instanceof DetsegInputError, `${what}: ${String(e)}`);
      assert.match(e.message, pattern, what);
      assert.ok(!e.message.includes('\n'), what);
      return true;
    });
  }
  // A prediction PNG of another size than the ground truth's.
  const f = brokenCopy(dir, () => {});
  cpSync(join(dir, 'panoptic_examples', '000000142238.png'), join(f.predDir, '000000439180.png'));
  await assert.rejects(evaluatePanopticFiles(f), /000000439180\.png: image 439180: the PNG is 640×427, the ground-truth PNG says 640×360/);
  // Through the CLI: exit code 1, one line on stderr, no JSON written.
  const bad = brokenCopy(dir, cases[1][1]);
  const out = join(bad.predDir, '..', 'pq.json');
  const r = runCli(['eval', 'panoptic', '--gt-json', bad.gtJson, '--gt-dir', bad.gtDir, '--pred-json', bad.predJson, '--pred-dir', bad.predDir, '--json', out]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^detseg: error: .*000000142238\.png: image 142238, segment 2035955: the id is in the PNG but not in segments_info/);
  assert.equal(existsSync(out), false);
});
