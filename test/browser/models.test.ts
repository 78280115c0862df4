import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { iouPair } from '../../src/boxes/iou.js';
import { syntheticSample } from '../../src/data/synthetic.js';
import { shippedFasterRcnnPath } from '../../src/models/faster-rcnn/checkpoint.js';
import { shippedMaskRcnnPath } from '../../src/models/mask-rcnn/checkpoint.js';
import { packageRoot } from '../../src/util/paths.js';
import { startBrowserSession } from './chromium.js';
import { HELD_OUT_SEED, runModelWorkload, type ModelWorkloadOutput } from './model-workload.js';

/**
 * The shipped Faster R-CNN and Mask R-CNN in headless Chromium: the page (`test/browser/models.html`) maps
 * `@tensorflow/tfjs` to its ES-module bundle and nothing else; it fetches the checkpoint over HTTP and runs
 * `test/browser/model-workload.ts`, which rebuilds the model through the browser entry
 * `src/browser/models.ts` and predicts on held-out synthetic images with tfjs' `cpu` backend. Detections
 * (and Mask R-CNN's masks) must equal Node's on the same backend bit for bit, and the confident ones must
 * lie on ground-truth objects of their class.
 */

const IMAGES = 2;
/** Detections at least this confident must match a ground-truth object of their class. */
const CONFIDENT = 0.9;
/**
 * Mask IoU a confident mask must reach with a ground-truth mask of its class. The shipped Mask R-CNN's
 * confident masks on these images reach 0.74–0.98; the same masks shifted 5 pixels reach 0.50–0.69.
 */
const MASK_IOU = 0.7;

/** Runs the model workload on the checkpoint at `path` in Chromium, or returns undefined when the test skipped. */
async function runInChromium(t: TestContext, path: string): Promise<ModelWorkloadOutput | undefined> {
  const session = await startBrowserSession(t);
  if (session === undefined) return undefined;
  const checkpointUrl = '/' + path.slice(packageRoot().length + 1).split(/[\\/]/).join('/');
  try {
    const page = await session.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${session.url}/test/browser/models.html`);
    try {
      return await page.evaluate(
        async ({ workloadUrl, checkpoint, file, count }): Promise<ModelWorkloadOutput> => {
          const response = await fetch(checkpoint);
          if (!response.ok) throw new Error(`HTTP ${response.status} for ${checkpoint}`);
          const { runModelWorkload: run } = (await import(workloadUrl)) as { runModelWorkload: typeof runModelWorkload };
          return run(new Uint8Array(await response.arrayBuffer()), file, count);
        },
        { workloadUrl: '/dist/test/browser/model-workload.js', checkpoint: checkpointUrl, file: basename(path), count: IMAGES },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}${errors.length ? ` (page errors: ${errors.join('; ')})` : ''}`);
    }
  } finally {
    await session.close();
  }
}

/** Asserts that Chromium's detections (and masks) have the same bytes as Node's. */
function assertSameBytes(inBrowser: ModelWorkloadOutput, inNode: ModelWorkloadOutput, kind: string): void {
  assert.equal(inBrowser.kind, kind);
  assert.equal(inNode.kind, kind);
  assert.equal(inBrowser.backend, 'cpu');
  assert.equal(inNode.backend, 'cpu');
  for (let i = 0; i < IMAGES; i++) {
    const keys = kind === 'mask-rcnn' ? (['boxes', 'scores', 'labels', 'masks'] as const) : (['boxes', 'scores', 'labels'] as const);
    for (const key of keys) {
      assert.ok(inNode.images[i][key] !== undefined, `image ${i}: Node gave no ${key}`);
      assert.deepEqual(inBrowser.images[i][key], inNode.images[i][key], `image ${i}: ${key} differ between Chromium and Node`);
    }
  }
}

/**
 * The detections are the model's, not noise: every confident one (score ≥ {@link CONFIDENT}) overlaps a
 * ground-truth object of its class with box IoU ≥ 0.5 (and, with masks, mask IoU ≥ {@link MASK_IOU},
 * counted pixel by pixel), and there are some. Returns the number of confident detections.
 */
function assertOnGroundTruth(output: ModelWorkloadOutput): number {
  let confident = 0;
  output.images.forEach((image, i) => {
    const truth = syntheticSample(HELD_OUT_SEED, i, { size: 128 });
    image.scoreValues.forEach((score, d) => {
      if (score < CONFIDENT) return;
      confident++;
      const [x1, y1, x2, y2] = image.boxValues.slice(4 * d, 4 * d + 4);
      let bestBox = 0;
      let bestMask = 0;
      for (let g = 0; g < truth.labels.length; g++) {
        if (truth.labels[g] + 1 !== image.labelValues[d]) continue; // detector labels count the background as 0
        const b = truth.boxes.subarray(4 * g, 4 * g + 4);
        bestBox = Math.max(bestBox, iouPair(x1, y1, x2, y2, b[0], b[1], b[2], b[3]));
        if (image.maskValues !== undefined) {
          const mask = image.maskValues[d];
          const gt = truth.masks[g];
          assert.equal(mask.length, gt.length, `image ${i}, detection ${d}: mask of ${mask.length} pixels, image of ${gt.length}`);
          let inter = 0;
          let union = 0;
          for (let p = 0; p < gt.length; p++) {
            inter += mask[p] & gt[p];
            union += mask[p] | gt[p];
          }
          bestMask = Math.max(bestMask, union > 0 ? inter / union : 0);
        }
      }
      assert.ok(bestBox >= 0.5, `image ${i}, detection ${d} (label ${image.labelValues[d]}, score ${score}): best box IoU with its class ${bestBox}`);
      if (image.maskValues !== undefined) assert.ok(bestMask >= MASK_IOU, `image ${i}, detection ${d} (label ${image.labelValues[d]}, score ${score}): best mask IoU with its class ${bestMask}`);
    });
  });
  assert.ok(confident >= IMAGES, `only ${confident} detections with score ≥ ${CONFIDENT}`);
  return confident;
}

for (const { kind, path } of [
  { kind: 'faster-rcnn', path: shippedFasterRcnnPath() },
  { kind: 'mask-rcnn', path: shippedMaskRcnnPath() },
]) {
  test(`the shipped ${kind} predicts in Chromium (tfjs cpu backend, import map: tfjs only) exactly as in Node`, { timeout: 300_000 }, async (t) => {
    const inBrowser = await runInChromium(t, path);
    if (inBrowser === undefined) return;
    const inNode = await runModelWorkload(new Uint8Array(readFileSync(path)), basename(path), IMAGES, true);
    t.diagnostic(`${kind} predict per 128² image, cpu backend: Chromium ${inBrowser.predictMs.map((ms) => ms.toFixed(0)).join(', ')} ms; Node ${inNode.predictMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    assertSameBytes(inBrowser, inNode, kind);
    const confident = assertOnGroundTruth(inNode);
    t.diagnostic(`${kind}: ${inNode.images.map((image) => image.labelValues.length).join(' + ')} detections, ${confident} with score ≥ ${CONFIDENT} (all on ground truth)`);
  });
}

test('the detector example page (examples/browser/detector.html) draws the shipped Mask R-CNN\'s detections, as Node computes them', { timeout: 300_000 }, async (t) => {
  const session = await startBrowserSession(t);
  if (session === undefined) return;
  type PageDetections = { file: string; index: number; boxes: number[]; scores: number[]; labels: number[]; maskSums?: number[] };
  let shown: PageDetections;
  try {
    const page = await session.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    await page.goto(`${session.url}/examples/browser/detector.html?model=detector-mask-rcnn.ckpt&index=1`);
    try {
      await page.waitForFunction(() => document.body.dataset.status === 'ready' || document.body.dataset.status === 'error', undefined, { timeout: 120_000 });
    } catch (err) {
      throw new Error(`the detector page did not finish: ${errors.join('; ') || String(err)}`);
    }
    assert.equal(await page.evaluate(() => document.body.dataset.status), 'ready', `the detector page failed: ${errors.join('; ')}`);
    shown = await page.evaluate(() => (window as unknown as { detsegDetector: PageDetections }).detsegDetector);
  } finally {
    await session.close();
  }
  const path = shippedMaskRcnnPath();
  const inNode = await runModelWorkload(new Uint8Array(readFileSync(path)), basename(path), 2, true);
  const image = inNode.images[1]; // the page's image: held-out index 1
  assert.equal(shown.file, 'detector-mask-rcnn.ckpt');
  assert.deepEqual(shown.boxes, image.boxValues);
  assert.deepEqual(shown.scores, image.scoreValues);
  assert.deepEqual(shown.labels, image.labelValues);
  assert.deepEqual(shown.maskSums, image.maskValues!.map((m) => m.reduce((s, v) => s + v, 0)));
  assert.ok(shown.labels.length > 0, 'the page drew no detections');
});
