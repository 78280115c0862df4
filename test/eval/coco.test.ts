import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COCO_STAT_NAMES, evaluateCocoJson } from '../../src/eval/coco.js';
import { packageRoot } from '../../src/util/paths.js';
import { sharedData } from '../helpers/shared.js';

/**
 * Acceptance: the 12 statistics equal pycocotools 2.0.11's (expected_oracle_stats.json, numpy 1.24.2) on
 * the cocoapi fake results, and the printed lines equal pycocotools' own output (val2014_fake_eval_res.txt).
 */

const fixtures = join(packageRoot(), 'test', 'fixtures', 'coco');
const readJson = (dir: string, name: string): unknown => JSON.parse(readFileSync(join(dir, name), 'utf8'));

const CASES = [
  { key: 'bbox_instances_val2014_100', gt: 'instances_val2014_100.json', dt: 'instances_val2014_fakebbox100_results.json', iouType: 'bbox' },
  { key: 'segm_instances_val2014_100', gt: 'instances_val2014_100.json', dt: 'instances_val2014_fakesegm100_results.json', iouType: 'segm' },
  { key: 'bbox_sampled_gts_bbox_area', gt: 'sampled_gts_bbox_area.json', dt: 'instances_val2014_fakebbox100_results.json', iouType: 'bbox' },
  // ground-truth annotation id 0: pycocotools records the matched id, and a recorded 0 counts as unmatched
  { key: 'bbox_toy_cats_gt_ann_id0_as_committed', gt: 'toy_cats_gt.json', dt: 'toy_cats_dets.json', iouType: 'bbox' },
] as const;

/**
 * The 12 summary lines of one iouType from pycocotools' printed output. That file was printed by an older
 * cocoapi whose title field was one character narrower; current pycocotools (2.0.x) formats
 * `' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'`, so the title is re-padded to
 * 18 characters here and the rest of each line is compared as printed.
 */
function printedLines(iouType: string): string[] {
  const text = readFileSync(join(fixtures, 'val2014_fake_eval_res.txt'), 'utf8').split('\n');
  const start = text.indexOf(`type=${iouType}`);
  return text
    .slice(start)
    .filter((l) => l.startsWith(' Average'))
    .slice(0, 12)
    .map((l) => l.replace(/^ (Average Precision|Average Recall) +/, (_, title: string) => ` ${title.padEnd(18)} `));
}

function checkCase(dir: string, c: (typeof CASES)[number]): void {
  const expected = (readJson(dir, 'expected_oracle_stats.json') as Record<string, Record<string, number>>)[c.key];
  const r = evaluateCocoJson(readJson(dir, c.gt), readJson(dir, c.dt), { iouType: c.iouType });
  COCO_STAT_NAMES.forEach((name, i) => {
    assert.ok(Math.abs(r.stats[i] - expected[name]) <= 1e-12, `${c.key} ${name}: ${r.stats[i]} vs pycocotools ${expected[name]}`);
  });
}

for (const c of CASES) {
  test(`${c.key}: the 12 statistics equal pycocotools' within 1e-12`, () => checkCase(fixtures, c));
}

test('the 12 printed lines equal pycocotools\' output character for character (bbox and segm)', () => {
  for (const c of CASES.slice(0, 2)) {
    const r = evaluateCocoJson(readJson(fixtures, c.gt), readJson(fixtures, c.dt), { iouType: c.iouType });
    assert.deepEqual(r.lines, printedLines(c.iouType));
  }
});

test('the shared-data originals give the same numbers as the copied fixtures', (t) => {
  const dir = sharedData(t, 'coco_eval_fixture');
  if (!dir) return;
  for (const c of CASES.slice(0, 3)) checkCase(dir, c);
});

test('precision [T,R,K,A,M] and recall [T,K,A,M] have pycocotools\' shapes; per-class AP averages the precision cells', () => {
  const r = evaluateCocoJson(readJson(fixtures, 'instances_val2014_100.json'), readJson(fixtures, 'instances_val2014_fakebbox100_results.json'));
  assert.deepEqual(r.dims, { T: 10, R: 101, K: 80, A: 4, M: 3 });
  assert.equal(r.precision.length, 10 * 101 * 80 * 4 * 3);
  assert.equal(r.recall.length, 10 * 80 * 4 * 3);
  assert.equal(r.perClass.length, 80);
  // AP (stats[0]) is the mean over every defined cell at area all, maxDets 100 — the per-class APs are
  // means over each class's 1010 cells, so the mean of the defined per-class APs equals stats[0]
  const defined = r.perClass.filter((c) => c.ap > -1);
  const mean = defined.reduce((s, c) => s + c.ap, 0) / defined.length;
  assert.ok(Math.abs(mean - r.stats[0]) < 1e-12);
  const person = r.perClass.find((c) => c.name === 'person');
  assert.ok(person && person.ap > 0 && person.ap < 1);
});
