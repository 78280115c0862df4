import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/setup.js';
import { saveDetectorCheckpoint } from '../../src/models/detection/checkpoint.js';
import { detrFamily } from '../../src/models/detr/family.js';
import type { DetrNet } from '../../src/models/detr/detr.js';
import type { Detections } from '../../src/models/detection/types.js';
import { syntheticData } from '../../src/pipeline/dataset.js';
import { detectPrepared, detectPreparedWith } from '../../src/pipeline/infer.js';
import { openOnnxDetector } from '../../src/pipeline/onnx.js';
import { prepareSample } from '../../src/pipeline/samples.js';
import { checkpointImageSize, loadDetector, shippedCheckpoints } from '../../src/pipeline/weights.js';

/** IoU of two binary masks (1 when both are empty). */
function maskIoU(a: Uint8Array, b: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** The worst absolute differences of the box values and of the scores of two detection lists of the same length. */
function worstDifferences(tfjs: Detections, onnx: Detections): { box: number; score: number } {
  let box = 0, score = 0;
  for (let j = 0; j < tfjs.boxes.length; j++) box = Math.max(box, Math.abs(onnx.boxes[j] - tfjs.boxes[j]));
  for (let j = 0; j < tfjs.scores.length; j++) score = Math.max(score, Math.abs(onnx.scores[j] - tfjs.scores[j]));
  return { box, score };
}

function assertSameDetections(tfjs: Detections, onnx: Detections, where: string): void {
  assert.equal(onnx.labels.length, tfjs.labels.length, `${where}: detection count`);
  assert.deepEqual(Array.from(onnx.labels), Array.from(tfjs.labels), `${where}: labels`);
  for (let j = 0; j < tfjs.boxes.length; j++) assert.ok(Math.abs(onnx.boxes[j] - tfjs.boxes[j]) <= 1e-3, `${where}: box value ${j}: ${onnx.boxes[j]} vs ${tfjs.boxes[j]}`);
  for (let j = 0; j < tfjs.scores.length; j++) assert.ok(Math.abs(onnx.scores[j] - tfjs.scores[j]) <= 1e-4, `${where}: score ${j}: ${onnx.scores[j]} vs ${tfjs.scores[j]}`);
  assert.equal(onnx.masks === undefined, tfjs.masks === undefined, `${where}: masks present`);
  tfjs.masks?.forEach((m, j) => assert.ok(maskIoU(m, onnx.masks![j]) >= 0.99, `${where}: mask ${j} IoU ${maskIoU(m, onnx.masks![j])}`));
}

const IMAGES = 3;
/** R-CNN warps and classifies up to 2000 proposals per image on both runtimes: one image. */
const imagesOf = (kind: string) => (kind === 'rcnn' ? 1 : IMAGES);

for (const shipped of shippedCheckpoints()) {
  test(`onnx: ${shipped.name} exported and run on ONNX Runtime gives the TF.js detections (${imagesOf(shipped.family.kind)} held-out image(s))`, async (t) => {
    await initEngine();
    const tfjs = loadDetector(shipped.family.kind, shipped.path);
    try {
      const imgsz = checkpointImageSize(tfjs.meta);
      const onnx = await openOnnxDetector(shipped.family.kind, shipped.path);
      try {
        assert.equal(onnx.imgsz, imgsz);
        const n = imagesOf(shipped.family.kind);
        const data = syntheticData(2, n, imgsz, shipped.family.singleObject ? [1, 1] : undefined);
        let total = 0, box = 0, score = 0;
        for (let i = 0; i < n; i++) {
          const sample = await prepareSample(data, i, 0, { imgsz });
          const [a] = detectPrepared(tfjs.model, tfjs.family, [sample], imgsz);
          const [b] = await detectPreparedWith(onnx, onnx.family, [sample], imgsz);
          assertSameDetections(a, b, `${shipped.name} image ${i}`);
          const worst = worstDifferences(a, b);
          [box, score] = [Math.max(box, worst.box), Math.max(score, worst.score)];
          total += a.labels.length;
        }
        assert.ok(total > 0, `${shipped.name}: some detections to compare`);
        t.diagnostic(`${shipped.name}: ${n} images, ${total} detections, worst box difference ${box.toExponential(1)} px, worst score difference ${score.toExponential(1)}`);
      } finally {
        await onnx.dispose();
      }
    } finally {
      tfjs.dispose();
    }
  });
}

/** Worst |a − b| of two arrays of the same length. */
function worstAbs(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const DETR_VARIANTS: Array<[string, Record<string, unknown>]> = [['', {}], [', anchor points', { anchorPoints: true }], [', two-stage queries', { twoStage: true }], [', two-stage queries, proposal NMS, class pairs', { twoStage: true, proposalNms: 0.5, pairDetections: true }]];
for (const [variant, extra] of DETR_VARIANTS) test(`onnx: a freshly built DETR (seeded random weights${variant}) exported and run on ONNX Runtime gives the TF.js outputs and detections`, async (t) => {
  await initEngine();
  const imgsz = 128;
  const options = { ...detrFamily.defaultOptions, ...extra, seed: 7 };
  const built = detrFamily.build(options) as DetrNet;
  const dir = mkdtempSync(join(tmpdir(), 'detseg-detr-onnx-'));
  try {
    const path = join(dir, 'detr.ckpt');
    saveDetectorCheckpoint(path, built.models(), { format: detrFamily.format, options, imgsz });
    built.dispose();
    const tfjs = loadDetector('detr', path);
    const onnx = await openOnnxDetector('detr', path);
    try {
      assert.equal(onnx.imgsz, imgsz);
      const data = syntheticData(2, IMAGES, imgsz);
      const samples = await Promise.all(Array.from({ length: IMAGES }, (_, i) => prepareSample(data, i, 0, { imgsz })));
      // the raw outputs on a batch of 2 (the object queries, of batch 1 in the graph, broadcast against it)
      const images = Float32Array.from(samples.slice(0, 2).flatMap((s) => Array.from(s.image, (v) => (v - 127.5) / 127.5)));
      const model = tfjs.model as DetrNet;
      const [probabilities, boxes] = tf.tidy(() => {
        const out = model.outputs(tf.tensor4d(images, [2, imgsz, imgsz, 3]), false);
        const last = model.decoderLayers - 1;
        return [tf.softmax(out.logits[last]).dataSync() as Float32Array, out.boxes[last].dataSync() as Float32Array];
      });
      const raw = await onnx.sessions.run('image', { images: [images, [2, imgsz, imgsz, 3]] });
      assert.deepEqual(raw.class_probabilities.dims, [2, model.queries, model.numClasses + 1]);
      assert.deepEqual(raw.boxes.dims, [2, model.queries, 4]);
      const worstProbability = worstAbs(raw.class_probabilities.data, probabilities);
      const worstBox = worstAbs(raw.boxes.data, boxes);
      assert.ok(worstProbability <= 1e-5, `class probabilities differ by ${worstProbability}`);
      assert.ok(worstBox * imgsz <= 1e-3, `boxes differ by ${worstBox} of the side`);
      let box = 0, score = 0, total = 0;
      for (const [i, sample] of samples.entries()) {
        const [a] = detectPrepared(tfjs.model, tfjs.family, [sample], imgsz);
        const [b] = await detectPreparedWith(onnx, onnx.family, [sample], imgsz);
        assertSameDetections(a, b, `detr image ${i}`);
        const worst = worstDifferences(a, b);
        [box, score] = [Math.max(box, worst.box), Math.max(score, worst.score)];
        total += a.labels.length;
      }
      assert.ok(total > 0, 'some detections to compare');
      t.diagnostic(`detr (random weights): raw outputs on 2 images: probabilities ${worstProbability.toExponential(1)}, boxes ${(worstBox * imgsz).toExponential(1)} px; ${IMAGES} images, ${total} detections, worst box difference ${box.toExponential(1)} px, worst score difference ${score.toExponential(1)}`);
    } finally {
      await onnx.dispose();
      tfjs.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
