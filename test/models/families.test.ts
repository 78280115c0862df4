import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCheckpoint, loadCheckpoint } from '../../src/engine/checkpoint.js';
import { makeOptimizer } from '../../src/engine/optimizer.js';
import { initEngine } from '../../src/engine/setup.js';
import { captureModelWeights } from '../../src/engine/state.js';
import { imagesToTensor, syntheticDetectionSet } from '../../src/models/detection/synthetic-data.js';
import { DETECTOR_FAMILIES, detectorFromCheckpointBytes } from '../../src/models/registry.js';
import { shippedCheckpoints } from '../../src/pipeline/weights.js';
import { mulberry32 } from '../../src/util/random.js';

/**
 * Every registered detector family, the day it is registered (torchvision's `test_detection_model`
 * over `list_model_fns`): built from small options, one training step gives finite named losses
 * (torchvision's names), inference gives the contract's shapes (boxes [N,4] xyxy inside the image,
 * labels in 1..C, scores in (0, 1] by decreasing score, masks [H, W] for mask families), and a
 * checkpoint round trip gives the same detections bit for bit.
 */

const SIZE = 64;
const TINY = { backbone: { widths: [8, 16, 32] }, representationSize: 32, maskHeadWidth: 8, warpSize: 32, roiHeads: { scoreThreshold: 0, batchSizePerImage: 32 }, scoreThreshold: 0, rpn: { preNmsTopNTest: 100, postNmsTopNTest: 50 } };

/** Ground-truth boxes jittered, plus random boxes: proposals for the families that take them. `[K,4]` xyxy. */
function proposalsFor(boxes: Float32Array, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out: number[] = [];
  for (let i = 0; i < boxes.length; i += 4) for (let k = 0; k < 4; k++) out.push(...[0, 1, 2, 3].map((c) => Math.min(SIZE, Math.max(0, boxes[i + c] + (random() - 0.5) * 4))));
  for (let k = 0; k < 20; k++) {
    const x = random() * (SIZE - 8), y = random() * (SIZE - 8);
    out.push(x, y, x + 4 + random() * (SIZE - x - 4), y + 4 + random() * (SIZE - y - 4));
  }
  return Float32Array.from(out);
}

for (const family of DETECTOR_FAMILIES) {
  test(`registered family ${family.kind}: one training step, the inference contract, and a checkpoint round trip`, async () => {
    await initEngine();
    const samples = syntheticDetectionSet(7, 2, { size: SIZE, ...(family.singleObject ? { minObjects: 1, maxObjects: 1 } : {}) });
    const options = { ...family.defaultOptions, ...TINY, seed: 5 };
    const model = family.build(options);
    const images = imagesToTensor(samples.map((s) => s.sample.image), SIZE, SIZE); // [2, 64, 64, 3]
    const proposals = family.needsProposals ? samples.map((s, i) => proposalsFor(s.target.boxes, i + 1)) : undefined;
    const optimizer = makeOptimizer({ kind: 'adam', learningRate: 1e-3 });
    let loaded: ReturnType<typeof detectorFromCheckpointBytes> | undefined;
    try {
      assert.equal(SIZE % model.stride, 0);
      model.reseed(0);
      const losses = model.trainStep(optimizer, images, samples.map((s) => s.target), proposals);
      const expected = [...family.lossNames, 'loss'];
      assert.deepEqual(Object.keys(losses).sort(), expected.sort());
      for (const [name, value] of Object.entries(losses)) assert.ok(Number.isFinite(value) && value >= 0, `${name} = ${value}`);
      assert.ok(Math.abs(losses.loss - expected.filter((k) => k !== 'loss').reduce((s, k) => s + losses[k], 0)) < 1e-4 * Math.max(1, losses.loss), 'loss is the sum of the named losses');

      const detections = model.predict(images, proposals);
      assert.equal(detections.length, 2);
      for (const d of detections) {
        const n = d.labels.length;
        assert.ok(d.boxes instanceof Float32Array && d.boxes.length === 4 * n);
        assert.ok(d.labels instanceof Int32Array && d.scores instanceof Float32Array && d.scores.length === n);
        for (let j = 0; j < n; j++) {
          const [x1, y1, x2, y2] = d.boxes.subarray(4 * j, 4 * j + 4);
          assert.ok(x1 >= 0 && y1 >= 0 && x2 <= SIZE && y2 <= SIZE && x2 >= x1 && y2 >= y1, `box ${j} [${x1}, ${y1}, ${x2}, ${y2}]`);
          assert.ok(d.labels[j] >= 1 && d.labels[j] <= model.numClasses);
          assert.ok(d.scores[j] > 0 && d.scores[j] <= 1 && (j === 0 || d.scores[j] <= d.scores[j - 1]));
        }
        if (family.masks) {
          assert.equal(d.masks?.length, n);
          for (const m of d.masks!) assert.ok(m instanceof Uint8Array && m.length === SIZE * SIZE && m.every((v) => v === 0 || v === 1));
        } else assert.equal(d.masks, undefined);
      }
      assert.ok(detections.some((d) => d.labels.length > 0), 'no detections to compare (score threshold 0)');

      const bytes = encodeCheckpoint({ epoch: 0, step: 0, rng: { seed: 0, state: 0 }, model: model.models().flatMap((m) => captureModelWeights(m)), optimizer: [], optimizerName: 'none', meta: { format: family.format, options: { ...options, seed: 99 } } });
      loaded = detectorFromCheckpointBytes(bytes, `${family.kind}.ckpt`);
      assert.equal(loaded.kind, family.kind);
      const again = loaded.model.predict(images, proposals);
      again.forEach((d, b) => {
        assert.deepEqual(d.boxes, detections[b].boxes);
        assert.deepEqual(d.scores, detections[b].scores);
        assert.deepEqual(d.labels, detections[b].labels);
        assert.deepEqual(d.masks, detections[b].masks);
      });
    } finally {
      optimizer.dispose();
      images.dispose();
      model.dispose();
      loaded?.model.dispose();
    }
  });
}

test('the registry: unique kinds and formats, each format detseg-<kind>, losses named; every shipped checkpoint is a file of its family', () => {
  const kinds = DETECTOR_FAMILIES.map((f) => f.kind);
  assert.equal(new Set(kinds).size, kinds.length);
  for (const f of DETECTOR_FAMILIES) {
    assert.equal(f.format, `detseg-${f.kind}`);
    assert.ok(f.lossNames.length > 0 && f.lossNames.every((n) => n !== 'loss') && new Set(f.lossNames).size === f.lossNames.length, `${f.kind} loss names`);
    // the region-proposal families name their losses as torchvision does
    if (['faster-rcnn', 'mask-rcnn'].includes(f.kind)) assert.deepEqual(f.lossNames.slice(0, 2), ['loss_objectness', 'loss_rpn_box_reg']);
    if (f.masks) assert.ok(f.lossNames.includes('loss_mask'));
  }
  const shipped = shippedCheckpoints();
  assert.equal(new Set(shipped.map((s) => s.name)).size, shipped.length, 'shipped names are unique');
  for (const s of shipped) assert.equal(loadCheckpoint(s.path).meta?.format, s.family.format, s.file);
  for (const kind of ['rcnn', 'fast-rcnn', 'faster-rcnn', 'mask-rcnn']) assert.ok(DETECTOR_FAMILIES.find((f) => f.kind === kind)!.shipped.length > 0, `${kind} ships a checkpoint`);
});
