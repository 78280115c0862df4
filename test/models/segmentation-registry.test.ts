import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint } from '../../src/engine/checkpoint.js';
import { initEngine } from '../../src/engine/setup.js';
import { captureModelWeights } from '../../src/engine/state.js';
import { syntheticLabelDataset } from '../../src/models/segmentation-data.js';
import { SEGMENTATION_FAMILIES, segmentationFamily, segmentationKinds, segmentationModelFromCheckpoint } from '../../src/models/segmentation-registry.js';
import { evaluateSegmentation, predictLabelMaps, trainSegmentation } from '../../src/models/segmentation-train.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { randomNormal } from '../engine/backends.js';

// Small options per family so that the tests stay quick.
const SMALL: Record<string, Record<string, unknown>> = {
  unet: { depth: 2, baseWidth: 4 },
  fcn: { stages: 2, baseWidth: 4 },
  deeplab: { baseWidth: 4, asppChannels: 8, lowLevelChannels: 4, rates: [1, 2, 3, 4] },
  segformer: { dims: [8, 8, 8, 8], heads: [1, 1, 2, 2], reductions: [2, 1, 1, 1], decoderDim: 8, mlpRatio: 2 },
};

test('the registry holds unet, fcn, deeplab, segformer; each maps [B, H, W, Cin] to [B, H, W, K] at its multiple', async () => {
  await initEngine();
  assert.deepEqual(segmentationKinds(), ['unet', 'fcn', 'deeplab', 'segformer']);
  const multiples: Record<string, number> = { unet: 4, fcn: 4, deeplab: 8, segformer: 32 };
  for (const family of SEGMENTATION_FAMILIES) {
    const m = family.multiple(SMALL[family.kind]);
    assert.equal(m, multiples[family.kind], family.kind);
    const model = family.build(SMALL[family.kind], 3, 5, 1);
    const shape = tf.tidy(() => (model.predict(tf.zeros([2, 2 * m, 3 * m, 3])) as tf.Tensor).shape);
    assert.deepEqual(shape, [2, 2 * m, 3 * m, 5], family.kind);
    model.dispose();
  }
  assert.throws(() => segmentationFamily('pspnet'), (e: Error) => e instanceof DetsegInputError && /unknown segmentation model 'pspnet'/.test(e.message));
});

test('predictLabelMaps pads to the multiple and takes the per-pixel arg-max of the logits (naive loop)', async () => {
  await initEngine();
  const model = segmentationFamily('deeplab').build(SMALL.deeplab, 2, 3, 4);
  const [h, w] = [13, 10];
  const image = randomNormal(h * w * 2, 5);
  const [labels] = predictLabelMaps(model, [{ image, height: h, width: w, channels: 2 }], 8);
  const padded = new Float32Array(16 * 16 * 2);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) for (let k = 0; k < 2; k++) padded[(r * 16 + c) * 2 + k] = image[(r * w + c) * 2 + k];
  const logits = tf.tidy(() => (model.predict(tf.tensor4d(padded, [1, 16, 16, 2])) as tf.Tensor).dataSync());
  const seen = new Set<number>();
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
    const z = logits.subarray((r * 16 + c) * 3, (r * 16 + c) * 3 + 3);
    let best = 0;
    for (let k = 1; k < 3; k++) if (z[k] > z[best]) best = k;
    assert.equal(labels[r * w + c], best, `pixel ${r}, ${c}`);
    seen.add(best);
  }
  assert.ok(seen.size >= 2, 'the random model predicts more than one class');
  model.dispose();
});

test('trainSegmentation of each family on 6 synthetic images: the loss falls, val mIoU is recorded, the checkpoint rebuilds the same model', async () => {
  await initEngine();
  const data = syntheticLabelDataset(3, 8, { size: 32, minObjects: 2, maxObjects: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'detseg-segtrain-'));
  for (const kind of segmentationKinds()) {
    const checkpoint = join(dir, `${kind}.ckpt`);
    const { model, result } = await trainSegmentation({ kind, options: SMALL[kind], data, trainIndices: [0, 1, 2, 3, 4, 5], valIndices: [6, 7], crop: 32, epochs: 4, batchSize: 3, learningRate: 5e-3, seed: 2, checkpoint });
    const losses = result.history.map((r) => r.loss);
    assert.ok(losses[3] < losses[0], `${kind}: loss ${losses.map((l) => l.toFixed(3)).join(' → ')}`);
    const miou = result.history[3].metrics.val_miou;
    assert.ok(miou > 0 && miou <= 1, `${kind}: val mIoU ${miou}`);
    const loaded = segmentationModelFromCheckpoint(loadCheckpoint(checkpoint), checkpoint);
    assert.equal(loaded.family.kind, kind);
    assert.deepEqual(loaded.meta.classNames, data.classNames);
    const a = evaluateSegmentation(model, data.samples, [6, 7], 4, loaded.family.multiple(SMALL[kind]));
    const b = evaluateSegmentation(loaded.model, data.samples, [6, 7], 4, loaded.family.multiple(SMALL[kind]));
    assert.equal(b.metrics.meanIou, a.metrics.meanIou, kind);
    assert.equal(a.metrics.meanIou, miou, `${kind}: the history holds the last epoch's validation`);
    assert.ok(a.msPerImage > 0);
    loaded.model.dispose();
    model.dispose();
  }
});

test('segmentationModelFromCheckpoint rejects another format, an unknown kind and mismatched weights, naming the file and field', async () => {
  await initEngine();
  const model = segmentationFamily('unet').build(SMALL.unet, 1, 2, 0);
  const base = { epoch: 1, step: 1, rng: { seed: 0, state: 0 }, optimizer: [], optimizerName: 'adam', model: captureModelWeights(model) };
  const meta = { format: 'detseg-segmentation', kind: 'unet', options: SMALL.unet, inChannels: 1, numClasses: 2, classNames: ['background', 'x'], seed: 0 };
  assert.throws(() => segmentationModelFromCheckpoint({ ...base, meta: { ...meta, format: 'detseg-unet' } }, 'f.ckpt'), (e: Error) => e instanceof DetsegInputError && /f\.ckpt: meta\.format/.test(e.message));
  assert.throws(() => segmentationModelFromCheckpoint({ ...base, meta: { ...meta, kind: 'nope' } }, 'f.ckpt'), (e: Error) => e instanceof DetsegInputError && /meta\.kind/.test(e.message));
  assert.throws(() => segmentationModelFromCheckpoint({ ...base, meta: { ...meta, numClasses: 3 } }, 'f.ckpt'), (e: Error) => e instanceof DetsegInputError && /shape/.test(e.message));
  assert.throws(() => segmentationModelFromCheckpoint({ ...base, meta: { ...meta, inChannels: 0 } }, 'f.ckpt'), (e: Error) => e instanceof DetsegInputError && /meta\.inChannels/.test(e.message));
  model.dispose();
});
