import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { boxIou, nms, syntheticSample } from '../../src/browser/index.js';
import { packageRoot } from '../../src/util/paths.js';
import { startBrowserSession } from './chromium.js';
import { runWorkload, type WorkloadInput, type WorkloadOutput } from './workload.js';

/**
 * detseg's browser entry in a real, headless Chromium: the example page (`examples/browser/`) loads
 * `/dist/src/browser/index.js` as native ES modules, and the page then runs the same workload as Node
 * (`workload.ts`: COCO bbox and segm evaluation of the cocoapi fixture, VOC AP, IoU / GIoU matrices, NMS
 * keep lists, RoI Align / Pool, selective search) on the same fixture files fetched over HTTP. Results
 * must equal Node's bit for bit — the same code on the same doubles — and the COCO statistics must equal
 * pycocotools' (expected_oracle_stats.json) as in test/eval/coco.test.ts.
 *
 * Chromium: `$CHROMIUM_PATH`, else `/usr/bin/chromium` (Debian's package); without it the test skips
 * with a message, also under CI=true. The page loads the compiled package: see `compiledBuildDir()`.
 */

const root = packageRoot();
const fixtures = join(root, 'test', 'fixtures', 'coco');
const FIXTURE_FILES = { gt: 'instances_val2014_100.json', dtBbox: 'instances_val2014_fakebbox100_results.json', dtSegm: 'instances_val2014_fakesegm100_results.json' } as const;
const ORACLE_KEYS = { bbox: 'bbox_instances_val2014_100', segm: 'segm_instances_val2014_100' } as const;

/** Opens the example page and waits for its script to finish; fails with the page's errors otherwise. */
async function openExample(page: Page, url: string): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  await page.goto(`${url}/examples/browser/`);
  try {
    await page.waitForFunction(() => document.body.dataset.status !== undefined, undefined, { timeout: 60_000 });
  } catch (err) {
    throw new Error(`the example page did not finish: ${errors.join('; ') || String(err)}`);
  }
  const status = await page.evaluate(() => document.body.dataset.status);
  assert.equal(status, 'ready', `the example page failed: ${errors.join('; ')}`);
}

test('the browser entry in headless Chromium: the example page, and results equal to Node\'s bit for bit', { timeout: 240_000 }, async (t) => {
  const session = await startBrowserSession(t);
  if (session === undefined) return;
  try {
    const page = await session.browser.newPage();
    await openExample(page, session.url);

    await t.test('the example page draws NMS of its detections, as Node computes them', async () => {
      const demo = await page.evaluate(() => (window as unknown as { detsegDemo: { seed: number; index: number; boxes: number[]; scores: number[]; gtBoxes: number[]; iouWithGt: number[]; threshold: number; kept: number[] } }).detsegDemo);
      // Node side: the page's ground truth is syntheticSample(seed, index) of the same options.
      const sample = syntheticSample(demo.seed, demo.index, { size: 128, minObjects: 3, maxObjects: 5 });
      assert.deepEqual(demo.gtBoxes, [...sample.boxes]);
      const boxes = Float32Array.from(demo.boxes);
      const scores = Float32Array.from(demo.scores);
      assert.deepEqual(demo.iouWithGt, [...boxIou(boxes, sample.boxes)]);
      assert.deepEqual(demo.kept, [...nms(boxes, scores, demo.threshold)]);
      assert.ok(demo.kept.length > 0 && demo.kept.length < demo.scores.length, `NMS kept ${demo.kept.length} of ${demo.scores.length}`);
    });

    await t.test('COCO eval, VOC AP, IoU, NMS, RoI ops and selective search in Chromium equal Node\'s bit for bit', async () => {
      const inBrowser = await page.evaluate(
        // No named inner functions here: under tsx, esbuild would wrap them in a `__name` helper that
        // does not exist in the page.
        async ({ workloadUrl, files }): Promise<WorkloadOutput> => {
          const [gt, dtBbox, dtSegm] = await Promise.all(
            [files.gt, files.dtBbox, files.dtSegm].map(async (name) => {
              const response = await fetch(`/test/fixtures/coco/${name}`);
              if (!response.ok) throw new Error(`HTTP ${response.status} for ${name}`);
              return JSON.parse(await response.text()) as unknown;
            }),
          );
          const { runWorkload: run } = (await import(workloadUrl)) as { runWorkload: (input: WorkloadInput) => WorkloadOutput };
          return run({ gt, dtBbox, dtSegm });
        },
        { workloadUrl: '/dist/test/browser/workload.js', files: FIXTURE_FILES },
      );
      const readJson = (name: string): unknown => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));
      const inNode = runWorkload({ gt: readJson(FIXTURE_FILES.gt), dtBbox: readJson(FIXTURE_FILES.dtBbox), dtSegm: readJson(FIXTURE_FILES.dtSegm) });
      t.diagnostic(`workload wall time: Chromium ${inBrowser.ms.toFixed(0)} ms, Node ${inNode.ms.toFixed(0)} ms`);

      assert.deepEqual(Object.keys(inBrowser.arrays).sort(), Object.keys(inNode.arrays).sort());
      for (const name of Object.keys(inNode.arrays)) assert.deepEqual(inBrowser.arrays[name], inNode.arrays[name], `${name} differs between Chromium and Node`);
      assert.deepEqual(inBrowser.lines, inNode.lines);
      assert.deepEqual(inBrowser.counts, inNode.counts);
      assert.deepEqual(inNode.counts, { images: 100, detections: 734, iouPairs: inNode.counts.iouPairs, nmsKept: inNode.counts.nmsKept, proposals: inNode.counts.proposals });
      assert.ok(inNode.counts.iouPairs > 0 && inNode.counts.nmsKept > 0 && inNode.counts.proposals > 0);

      // And the browser's COCO statistics are pycocotools'.
      const oracle = JSON.parse(readFileSync(join(fixtures, 'expected_oracle_stats.json'), 'utf8')) as Record<string, Record<string, number>>;
      for (const iouType of ['bbox', 'segm'] as const) {
        for (const [name, value] of Object.entries(oracle[ORACLE_KEYS[iouType]])) {
          assert.ok(Math.abs(inBrowser.stats[iouType][name] - value) <= 1e-12, `${iouType} ${name}: Chromium ${inBrowser.stats[iouType][name]} vs pycocotools ${value}`);
        }
      }
    });
  } finally {
    await session.close();
  }
});
