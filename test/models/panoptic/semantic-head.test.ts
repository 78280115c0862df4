import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveCheckpoint } from '../../../src/engine/checkpoint.js';
import { initEngine, tf } from '../../../src/engine/setup.js';
import { syntheticPanopticSample } from '../../../src/data/synthetic-panoptic.js';
import { SegmentationConfusion } from '../../../src/eval/segmentation.js';
import { panopticInstanceBatches, SEMANTIC_CHANNELS, semanticBatch } from '../../../src/models/panoptic/data.js';
import { buildSemanticHead, evaluateSemanticHead, loadSemanticHead, predictSemantic, saveSemanticHead, trainSemanticHead, type SemanticHeadConfig } from '../../../src/models/panoptic/semantic-head.js';
import { DetsegInputError } from '../../../src/util/errors.js';
import { mulberry32 } from '../../../src/util/random.js';

const TINY: SemanticHeadConfig = { baseWidth: 8, depth: 2, batchNorm: false, trainImages: 4, epochs: 120, batchSize: 4, learningRate: 1e-2, minLearningRate: 1e-3, seed: 3 };
const RECIPE = { imageSize: 32, trainSeed: 5, trainImages: 4, valSeed: 5, valImages: 4 };

test('semanticBatch: images in [−1, 1] and one-hot targets equal to the samples\' category maps, mirrored when flipped', async () => {
  await initEngine();
  const size = 32;
  // the same generator draws the flips: replay it to know which images were flipped
  const flips = ((r) => [r() < 0.5, r() < 0.5, r() < 0.5])(mulberry32(9));
  const { x, y } = semanticBatch(4, [0, 1, 2], size, mulberry32(9));
  assert.deepEqual(x.shape, [3, size, size, 3]);
  assert.deepEqual(y.shape, [3, size, size, SEMANTIC_CHANNELS]);
  const xs = x.dataSync(), ys = y.dataSync();
  tf.dispose([x, y]);
  for (let b = 0; b < 3; b++) {
    const s = syntheticPanopticSample(4, b, { size });
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const src = r * size + (flips[b] ? size - 1 - c : c);
        const dst = (b * size + r) * size + c;
        for (let ch = 0; ch < 3; ch++) assert.equal(xs[3 * dst + ch], Math.fround((s.image[3 * src + ch] - 127.5) / 127.5));
        for (let k = 0; k < SEMANTIC_CHANNELS; k++) assert.equal(ys[SEMANTIC_CHANNELS * dst + k], k === s.categoryMap[src] ? 1 : 0);
      }
    }
  }
});

test('panopticInstanceBatches: the same step gives the same batch; targets are the panoptic samples\' things (labels 1..3), flipped with the image', async () => {
  await initEngine();
  const batches = panopticInstanceBatches({ imageSize: 64, trainSeed: 1, trainImages: 10, valSeed: 2, valImages: 2 }, 2, 0);
  const a = batches(3), b = batches(3);
  assert.deepEqual(a.images.dataSync(), b.images.dataSync());
  const pixels = a.images.dataSync();
  tf.dispose([a.images, b.images]);
  for (let i = 0; i < 2; i++) {
    const t = a.targets[i];
    // find the training image it came from: its boxes are the sample's, or mirrored (x1, x2 → 64 − x2, 64 − x1)
    const mirrored = (b: Float32Array) => b.map((v, j) => (j % 4 === 0 ? 64 - b[j + 2] : j % 4 === 2 ? 64 - b[j - 2] : v));
    const same = (u: Float32Array, v: Float32Array) => u.length === v.length && u.every((x, j) => x === v[j]);
    const match = Array.from({ length: 10 }, (_, k) => syntheticPanopticSample(1, k, { size: 64 })).find((s) => s.labels.every((l, j) => l + 1 === t.labels[j]) && (same(s.boxes, t.boxes) || same(mirrored(s.boxes), t.boxes)));
    assert.ok(match, `batch image ${i} matches a training image`);
    const flipped = !same(match.boxes, t.boxes);
    for (const [j, m] of t.masks!.entries()) {
      for (let r = 0; r < 64; r += 7) for (let c = 0; c < 64; c += 5) assert.equal(m[r * 64 + c], match.masks[j][r * 64 + (flipped ? 63 - c : c)]);
    }
    const p = (21 * 64 + 13) * 3, q = (21 * 64 + (flipped ? 50 : 13)) * 3;
    assert.equal(pixels[i * 64 * 64 * 3 + p], Math.fround((match.image[q] - 127.5) / 127.5));
  }
});

test('the semantic head learns 4 tiny images (softmax cross-entropy falls below a quarter of its start, pixel accuracy > 0.9) and its mIoU is the confusion matrix\'s', async () => {
  await initEngine();
  const records: number[] = [];
  const { model, history } = await trainSemanticHead(TINY, RECIPE, { onEpoch: (r) => records.push(r.loss) });
  assert.equal(history.length, TINY.epochs);
  assert.ok(records[records.length - 1] < records[0] / 4, `loss ${records[0]} → ${records[records.length - 1]}`);
  const scores = evaluateSemanticHead(model, RECIPE, 4);
  // the same numbers from a naive count over the predicted and true maps
  const samples = [0, 1, 2, 3].map((i) => syntheticPanopticSample(5, i, { size: 32 }));
  const predicted = predictSemantic(model, samples.map((s) => s.image), 32);
  let correct = 0;
  samples.forEach((s, i) => s.categoryMap.forEach((t, p) => (correct += predicted[i][p] === t ? 1 : 0)));
  assert.equal(scores.pixelAccuracy, correct / (4 * 32 * 32));
  assert.ok(scores.pixelAccuracy > 0.9, `pixel accuracy ${scores.pixelAccuracy}`);
  const confusion = new SegmentationConfusion(SEMANTIC_CHANNELS);
  samples.forEach((s, i) => confusion.add(predicted[i], s.categoryMap));
  assert.equal(scores.meanIou, confusion.metrics().meanIou);
  // save / load: the same predictions
  const file = join(mkdtempSync(join(tmpdir(), 'detseg-semantic-')), 'head.ckpt');
  saveSemanticHead(file, model, TINY);
  const loaded = loadSemanticHead(file);
  assert.deepEqual(predictSemantic(loaded.model, samples.map((s) => s.image), 32), predicted);
  assert.deepEqual(loaded.config, TINY);
  loaded.model.dispose();
  model.dispose();
});

test('loadSemanticHead refuses another checkpoint, naming the file and meta.format', async () => {
  await initEngine();
  const file = join(mkdtempSync(join(tmpdir(), 'detseg-semantic-bad-')), 'other.ckpt');
  const model = buildSemanticHead(TINY);
  saveCheckpoint(file, { epoch: 0, step: 0, rng: { seed: 0, state: 0 }, model: [], optimizer: [], optimizerName: 'none', meta: { format: 'detseg-unet' } });
  model.dispose();
  assert.throws(() => loadSemanticHead(file), (e: unknown) => e instanceof DetsegInputError && /other\.ckpt/.test(e.message) && /meta\.format/.test(e.message));
});
