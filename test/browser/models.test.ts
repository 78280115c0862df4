import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { iouPair } from '../../src/boxes/iou.js';
import { syntheticSample } from '../../src/data/synthetic.js';
import { shippedFasterRcnnPath } from '../../src/models/faster-rcnn/checkpoint.js';
import { packageRoot } from '../../src/util/paths.js';
import { startBrowserSession } from './chromium.js';
import { HELD_OUT_SEED, runModelWorkload, type ModelWorkloadOutput } from './model-workload.js';

/**
 * The shipped Faster R-CNN in headless Chromium: the page (`test/browser/models.html`) maps tfjs to its
 * ES-module bundle and the Node-only modules the model files import to throwing stand-ins; it fetches the
 * checkpoint over HTTP, rebuilds the model and predicts on held-out synthetic images with tfjs' `cpu`
 * backend. Its detections must equal Node's on the same backend bit for bit, and its confident detections
 * must lie on ground-truth objects of their class.
 */

const IMAGES = 2;

test('the shipped Faster R-CNN predicts in Chromium (tfjs cpu backend) exactly as in Node', { timeout: 300_000 }, async (t) => {
  const session = await startBrowserSession(t);
  if (session === undefined) return;
  const checkpointUrl = '/' + shippedFasterRcnnPath().slice(packageRoot().length + 1).split(/[\\/]/).join('/');
  let inBrowser: ModelWorkloadOutput;
  try {
    const page = await session.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${session.url}/test/browser/models.html`);
    try {
      inBrowser = await page.evaluate(
        async ({ workloadUrl, checkpoint, count }): Promise<ModelWorkloadOutput> => {
          const response = await fetch(checkpoint);
          if (!response.ok) throw new Error(`HTTP ${response.status} for ${checkpoint}`);
          const { runModelWorkload: run } = (await import(workloadUrl)) as { runModelWorkload: typeof runModelWorkload };
          return run(new Uint8Array(await response.arrayBuffer()), count);
        },
        { workloadUrl: '/dist/test/browser/model-workload.js', checkpoint: checkpointUrl, count: IMAGES },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}${errors.length ? ` (page errors: ${errors.join('; ')})` : ''}`);
    }
  } finally {
    await session.close();
  }
  const inNode = await runModelWorkload(new Uint8Array(readFileSync(shippedFasterRcnnPath())), IMAGES);
  t.diagnostic(`predict per 128² image, cpu backend: Chromium ${inBrowser.predictMs.map((ms) => ms.toFixed(0)).join(', ')} ms; Node ${inNode.predictMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);

  assert.equal(inBrowser.backend, 'cpu');
  assert.equal(inNode.backend, 'cpu');
  for (let i = 0; i < IMAGES; i++) {
    for (const key of ['boxes', 'scores', 'labels'] as const) {
      assert.deepEqual(inBrowser.images[i][key], inNode.images[i][key], `image ${i}: ${key} differ between Chromium and Node`);
    }
  }

  // The detections are the model's, not noise: every confident one (score ≥ 0.9) overlaps a ground-truth
  // object of its class with IoU ≥ 0.5, and some are confident.
  let confident = 0;
  inNode.images.forEach((image, i) => {
    const truth = syntheticSample(HELD_OUT_SEED, i, { size: 128 });
    image.scoreValues.forEach((score, d) => {
      if (score < 0.9) return;
      confident++;
      const [x1, y1, x2, y2] = image.boxValues.slice(4 * d, 4 * d + 4);
      let best = 0;
      for (let g = 0; g < truth.labels.length; g++) {
        if (truth.labels[g] + 1 !== image.labelValues[d]) continue; // detector labels count the background as 0
        const b = truth.boxes.subarray(4 * g, 4 * g + 4);
        best = Math.max(best, iouPair(x1, y1, x2, y2, b[0], b[1], b[2], b[3]));
      }
      assert.ok(best >= 0.5, `image ${i}, detection ${d} (label ${image.labelValues[d]}, score ${score}): best IoU with its class ${best}`);
    });
  });
  assert.ok(confident >= IMAGES, `only ${confident} detections with score ≥ 0.9`);
});
