import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveCheckpoint } from '../../src/engine/checkpoint.js';
import { captureModelWeights } from '../../src/engine/state.js';
import { segmentationFamily, type SegmentationCheckpointMeta } from '../../src/models/segmentation-registry.js';
import { initEngine } from '../../src/engine/setup.js';
import { buildFCN } from '../../src/models/fcn/fcn.js';
import { loadUNetCheckpoint } from '../../src/models/unet/checkpoint-meta.js';
import { PartSessions } from '../../src/onnx/runtime.js';
import { nodeOrtBinding, resolveUNetWeights, segmenterOnnxBytes } from '../../src/pipeline/onnx.js';

/** Max |a − b| and the share of pixels where the signs (the masks at logit 0) agree. */
function agreement(a: Float32Array, b: Float32Array): { maxDiff: number; sameMask: number } {
  let maxDiff = 0, same = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    if (a[i] > 0 === b[i] > 0) same++;
  }
  return { maxDiff, sameMask: same / a.length };
}

/** A smooth grey test image in [0, 1] with a bright disc (an LV-like blob). */
function greyImage(h: number, w: number): Float32Array {
  return Float32Array.from({ length: h * w }, (_, p) => {
    const y = Math.floor(p / w), x = p % w;
    const r = Math.hypot(y - h / 2, x - w / 2);
    return 0.2 + 0.1 * Math.sin(x / 5) * Math.cos(y / 7) + (r < Math.min(h, w) / 6 ? 0.6 : 0);
  });
}

test('onnx segmenters: the shipped LV U-Net exported for any size gives the TF.js logits on ONNX Runtime (two sizes)', async () => {
  await initEngine();
  const path = resolveUNetWeights('unet-lv-fold0');
  const sessions = await PartSessions.open(segmenterOnnxBytes('unet', path).bytes, nodeOrtBinding(1), path);
  const { model } = loadUNetCheckpoint(path);
  try {
    for (const [h, w] of [[96, 64], [128, 128]]) {
      const image = greyImage(h, w);
      const expected = tf.tidy(() => (model.predict(tf.tensor4d(image, [1, h, w, 1])) as tf.Tensor).dataSync() as Float32Array);
      const got = (await sessions.run('image', { image: [image, [1, h, w, 1]] })).logits;
      assert.deepEqual(got.dims, [1, h, w, 1]);
      const { maxDiff, sameMask } = agreement(got.data, expected);
      assert.ok(maxDiff <= 1e-3, `${h}×${w}: logits differ by ${maxDiff}`);
      assert.ok(sameMask >= 0.999, `${h}×${w}: masks agree on ${sameMask}`);
      let positive = 0;
      for (const v of expected) if (v > 0) positive++;
      assert.ok(positive > 0 && positive < expected.length, `${h}×${w}: the mask is neither empty nor full`);
    }
  } finally {
    model.dispose();
    await sessions.release();
  }
});

test('onnx segmenters: the FCN-16s (skip, bilinear-initialised up-sampling) at a fixed --imgsz gives the TF.js logits', async () => {
  await initEngine();
  const options = { stages: 3, baseWidth: 8, outChannels: 3, seed: 4 };
  const { bytes } = segmenterOnnxBytes('fcn', undefined, { imgsz: 64, modelOptions: options });
  const sessions = await PartSessions.open(bytes, nodeOrtBinding(1), 'fcn');
  const model = buildFCN({ ...options, inputSize: null });
  try {
    const image = greyImage(64, 64);
    const expected = tf.tidy(() => (model.predict(tf.tensor4d(image, [1, 64, 64, 1])) as tf.Tensor).dataSync() as Float32Array);
    const got = (await sessions.run('image', { image: [image, [1, 64, 64, 1]] })).logits;
    assert.deepEqual(got.dims, [1, 64, 64, 3]);
    assert.ok(agreement(got.data, expected).maxDiff <= 1e-4);
  } finally {
    model.dispose();
    await sessions.release();
  }
});

test('onnx segmenters: a checkpoint of detseg train unet (detseg-segmentation, RGB → 4 classes) exports with its class logits', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-onnx-seg-'));
  const options = { depth: 2, baseWidth: 4 };
  const model = segmentationFamily('unet').build(options, 3, 4, 2);
  const path = join(dir, 'unet.ckpt');
  const meta: SegmentationCheckpointMeta = { format: 'detseg-segmentation', kind: 'unet', options, inChannels: 3, numClasses: 4, classNames: ['background', 'a', 'b', 'c'], seed: 2 };
  saveCheckpoint(path, { epoch: 1, step: 1, rng: { seed: 0, state: 1 }, model: captureModelWeights(model), optimizer: [], optimizerName: 'adam', meta: { ...meta } });
  const { bytes } = segmenterOnnxBytes('unet', path);
  const sessions = await PartSessions.open(bytes, nodeOrtBinding(1), path);
  try {
    const grey = greyImage(32, 48);
    const image = Float32Array.from({ length: grey.length * 3 }, (_, i) => grey[Math.floor(i / 3)] * (1 - 0.2 * (i % 3)));
    const expected = tf.tidy(() => (model.predict(tf.tensor4d(image, [1, 32, 48, 3])) as tf.Tensor).dataSync() as Float32Array);
    const got = (await sessions.run('image', { image: [image, [1, 32, 48, 3]] })).logits;
    assert.deepEqual(got.dims, [1, 32, 48, 4]);
    assert.ok(agreement(got.data, expected).maxDiff <= 1e-4);
  } finally {
    model.dispose();
    await sessions.release();
    rmSync(dir, { recursive: true, force: true });
  }
});
