import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine } from '../../src/engine/setup.js';
import { detectorOnnxBytes, nodeOrtBinding } from '../../src/pipeline/onnx.js';
import { startBrowserSession } from './chromium.js';
import { runOnnxWorkload, type OnnxWorkloadOutput } from './onnx-workload.js';

/**
 * An exported Faster R-CNN, Mask R-CNN, YOLOv1 and SSD (the bytes `detseg export` writes) on onnxruntime-web (wasm) in
 * headless Chromium, through the browser ONNX entry `src/browser/onnx.ts` (`test/browser/onnx.html` maps
 * tfjs, protobufjs and onnxruntime-web), against the same file on onnxruntime-node: same labels in the
 * same order, boxes within 1e-3 px, scores within 1e-4, masks' IoU ≥ 0.99. The two runtimes' kernels
 * differ (wasm SIMD against native), so the comparison is within tolerance, not bit for bit.
 */

const IMAGES = 1;

async function runInChromium(t: TestContext, bytes: Uint8Array): Promise<OnnxWorkloadOutput | undefined> {
  const session = await startBrowserSession(t);
  if (session === undefined) return undefined;
  try {
    const page = await session.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${session.url}/test/browser/onnx.html`);
    try {
      return await page.evaluate(
        async ({ workloadUrl, model, count }): Promise<OnnxWorkloadOutput> => {
          const ort = (await import('onnxruntime-web')) as unknown as { env: { wasm: { wasmPaths: string; numThreads: number } } };
          ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
          ort.env.wasm.numThreads = 1; // threads need a cross-origin-isolated page
          const { runOnnxWorkload: run } = (await import(workloadUrl)) as { runOnnxWorkload: typeof runOnnxWorkload };
          const { webOrtBinding } = (await import('/dist/src/browser/onnx.js' as string)) as typeof import('../../src/browser/onnx.js');
          const bin = atob(model);
          const data = Uint8Array.from(bin, (c) => c.charCodeAt(0));
          return run(data, webOrtBinding(ort as never, ['wasm']), count);
        },
        { workloadUrl: '/dist/test/browser/onnx-workload.js', model: Buffer.from(bytes).toString('base64'), count: IMAGES },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}${errors.length ? ` (page errors: ${errors.join('; ')})` : ''}`);
    }
  } finally {
    await session.close();
  }
}

function maskIoU(a: number[], b: number[]): number {
  const set = new Set(a);
  const inter = b.filter((p) => set.has(p)).length;
  const union = a.length + b.length - inter;
  return union === 0 ? 1 : inter / union;
}

for (const kind of ['faster-rcnn', 'mask-rcnn', 'yolov1', 'ssd']) {
  test(`an exported ${kind} runs on onnxruntime-web in Chromium as on onnxruntime-node`, { timeout: 300_000 }, async (t) => {
    await initEngine();
    const { bytes } = detectorOnnxBytes(kind);
    const inBrowser = await runInChromium(t, bytes);
    if (inBrowser === undefined) return;
    const inNode = await runOnnxWorkload(bytes, nodeOrtBinding(1), IMAGES);
    t.diagnostic(`${kind} predict per 128² image: Chromium (ORT web, wasm, 1 thread) ${inBrowser.predictMs.map((ms) => ms.toFixed(0)).join(', ')} ms; Node (ORT, 1 thread) ${inNode.predictMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    assert.equal(inBrowser.kind, kind);
    let total = 0;
    inNode.images.forEach((n, i) => {
      const b = inBrowser.images[i];
      assert.deepEqual(b.labels, n.labels, `image ${i}: labels`);
      n.boxes.forEach((v, j) => assert.ok(Math.abs(b.boxes[j] - v) <= 1e-3, `image ${i}: box value ${j}: ${b.boxes[j]} vs ${v}`));
      n.scores.forEach((v, j) => assert.ok(Math.abs(b.scores[j] - v) <= 1e-4, `image ${i}: score ${j}: ${b.scores[j]} vs ${v}`));
      assert.equal(b.masks === undefined, kind !== 'mask-rcnn');
      n.masks?.forEach((m, j) => assert.ok(maskIoU(m, b.masks![j]) >= 0.99, `image ${i}: mask ${j}`));
      total += n.labels.length;
    });
    assert.ok(total > 0, 'some detections to compare');
  });
}

test('the detector example page with ?runtime=onnx exports the shipped Mask R-CNN in the page and draws what onnxruntime-node finds', { timeout: 300_000 }, async (t) => {
  await initEngine();
  const session = await startBrowserSession(t);
  if (session === undefined) return;
  type PageDetections = { file: string; index: number; runtime: string; boxes: number[]; scores: number[]; labels: number[]; maskSums?: number[] };
  let shown: PageDetections;
  try {
    const page = await session.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    await page.goto(`${session.url}/examples/browser/detector.html?model=detector-mask-rcnn.ckpt&index=0&runtime=onnx`);
    try {
      await page.waitForFunction(() => document.body.dataset.status === 'ready' || document.body.dataset.status === 'error', undefined, { timeout: 240_000 });
    } catch (err) {
      throw new Error(`the detector page did not finish: ${errors.join('; ') || String(err)}`);
    }
    assert.equal(await page.evaluate(() => document.body.dataset.status), 'ready', `the detector page failed: ${errors.join('; ')} ${await page.evaluate(() => document.getElementById('status')?.textContent)}`);
    shown = await page.evaluate(() => (window as unknown as { detsegDetector: PageDetections }).detsegDetector);
  } finally {
    await session.close();
  }
  const inNode = (await runOnnxWorkload(detectorOnnxBytes('mask-rcnn').bytes, nodeOrtBinding(1), 1)).images[0];
  assert.equal(shown.runtime, 'onnx');
  assert.deepEqual(shown.labels, inNode.labels);
  assert.ok(shown.labels.length > 0, 'the page drew no detections');
  inNode.boxes.forEach((v, j) => assert.ok(Math.abs(shown.boxes[j] - v) <= 1e-3, `box value ${j}`));
  inNode.scores.forEach((v, j) => assert.ok(Math.abs(shown.scores[j] - v) <= 1e-4, `score ${j}`));
  inNode.masks!.forEach((m, j) => assert.ok(Math.abs(shown.maskSums![j] - m.length) <= 0.01 * m.length + 1, `mask ${j}: ${shown.maskSums![j]} vs ${m.length} pixels`));
});
