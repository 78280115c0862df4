import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { encodeCheckpoint } from '../../src/engine/checkpoint.js';
import { initEngine } from '../../src/engine/setup.js';
import { captureModelWeights } from '../../src/engine/state.js';
import { detectorFromCheckpointBytes } from '../../src/models/registry.js';
import { imagesToTensor, syntheticDetectionSet } from '../../src/models/detection/synthetic-data.js';
import { FasterRCNN, type FasterRcnnOptions } from '../../src/models/faster-rcnn/faster-rcnn.js';
import { MaskRCNN, type MaskRcnnOptions } from '../../src/models/mask-rcnn/mask-rcnn.js';
import { DetsegInputError } from '../../src/util/errors.js';

/**
 * Detectors rebuilt from checkpoint bytes (`detectorFromCheckpointBytes`, the browser's loader and, on a
 * decoded file, `loadFasterRcnn` / `loadMaskRcnn`'s): the reference is the model that was saved. The
 * bytes store options with another seed than the saved model was built with, so weights equal to the
 * saved ones can only come from the checkpoint, not from a same-seed initialisation.
 */

const SMALL: FasterRcnnOptions = {
  seed: 3,
  backbone: { widths: [8, 16, 32] },
  representationSize: 32,
  rpn: { preNmsTopNTest: 100, postNmsTopNTest: 50 },
  roiHeads: { scoreThreshold: 0 }, // keep every detection, so that predictions have something to compare
};

/** Checkpoint bytes of `models` with `meta`, as `saveDetectorCheckpoint` writes them (weights only). */
function bytesOf(models: tf.LayersModel[], meta: Record<string, unknown>): Uint8Array {
  return encodeCheckpoint({ epoch: 0, step: 0, rng: { seed: 0, state: 0 }, model: models.flatMap((m) => captureModelWeights(m)), optimizer: [], optimizerName: 'none', meta });
}

/** Every weight of `a` equals the weight of `b` at the same place, bit for bit. */
function sameWeights(a: tf.LayersModel[], b: tf.LayersModel[]): boolean {
  const wa = a.flatMap((m) => captureModelWeights(m));
  const wb = b.flatMap((m) => captureModelWeights(m));
  return wa.length === wb.length && wa.every((t, i) => t.name === wb[i].name && Buffer.from(t.values.buffer).equals(Buffer.from(wb[i].values.buffer)));
}

const image = (): tf.Tensor4D => {
  const [sample] = syntheticDetectionSet(5, 1, { size: 64 });
  return imagesToTensor([sample.sample.image], 64, 64); // [1, 64, 64, 3]
};

for (const kind of ['faster-rcnn', 'mask-rcnn'] as const) {
  test(`detectorFromCheckpointBytes rebuilds a ${kind} with the saved weights (bit for bit) and the same detections`, async () => {
    await initEngine();
    const options: MaskRcnnOptions = kind === 'mask-rcnn' ? { ...SMALL, maskHeadWidth: 8 } : SMALL;
    const saved = kind === 'mask-rcnn' ? new MaskRCNN(options) : new FasterRCNN(options);
    const storedOptions = { ...options, seed: 11 };
    const sameOptionsFresh = kind === 'mask-rcnn' ? new MaskRCNN(storedOptions) : new FasterRCNN(storedOptions);
    const rebuilt = detectorFromCheckpointBytes(bytesOf(saved.models(), { format: `detseg-${kind}`, options: storedOptions }), 'small.ckpt');
    const input = image();
    try {
      assert.equal(rebuilt.kind, kind);
      assert.equal(rebuilt.model instanceof MaskRCNN, kind === 'mask-rcnn');
      assert.equal(rebuilt.meta.format, `detseg-${kind}`);
      assert.ok(!sameWeights(sameOptionsFresh.models(), saved.models()), 'seed 11 initialises like seed 3: the test could not tell loading from initialising');
      assert.ok(sameWeights(rebuilt.model.models(), saved.models()), 'rebuilt weights differ from the saved ones');
      const [expected] = saved.predict(input);
      const [actual] = rebuilt.model.predict(input);
      assert.ok(expected.labels.length > 0, 'no detections to compare');
      assert.deepEqual(actual.boxes, expected.boxes);
      assert.deepEqual(actual.scores, expected.scores);
      assert.deepEqual(actual.labels, expected.labels);
      assert.deepEqual(actual.masks, expected.masks);
      if (kind === 'mask-rcnn') assert.equal(actual.masks?.length, expected.labels.length);
    } finally {
      input.dispose();
      saved.dispose();
      sameOptionsFresh.dispose();
      rebuilt.model.dispose();
    }
  });
}

test('detectorFromCheckpointBytes: bad bytes, another format, bad options or a missing weight raise a DetsegInputError naming the file and field', async () => {
  await initEngine();
  const model = new FasterRCNN(SMALL);
  try {
    const weights = model.models();
    const cases: Array<[Uint8Array, RegExp]> = [
      [new TextEncoder().encode('not a checkpoint at all'), /^x\.ckpt: magic: not a detseg checkpoint/],
      [bytesOf(weights, { format: 'detseg-yolo', options: SMALL }), /^x\.ckpt: meta\.format: not a detector checkpoint \(meta\.format "detseg-yolo"; expected .*"detseg-rcnn", .*"detseg-mask-rcnn"/],
      [bytesOf(weights, {}), /^x\.ckpt: meta\.format: not a detector checkpoint \(meta\.format undefined/],
      [bytesOf(weights, { format: 'detseg-rcnn', options: SMALL }), /^x\.ckpt: model\[0\]: has no weight named rcnn_box/],
      [bytesOf(weights, { format: 'detseg-faster-rcnn' }), /^x\.ckpt: meta\.options: must be an object of model options, got undefined/],
      [bytesOf(weights, { format: 'detseg-faster-rcnn', options: [1, 2] }), /^x\.ckpt: meta\.options: must be an object/],
      [bytesOf(weights.slice(1), { format: 'detseg-faster-rcnn', options: SMALL }), /^x\.ckpt: model\[0\]: has no weight named /],
    ];
    for (const [bytes, message] of cases) {
      assert.throws(() => detectorFromCheckpointBytes(bytes, 'x.ckpt'), (err: unknown) => err instanceof DetsegInputError && message.test(err.message), String(message));
    }
  } finally {
    model.dispose();
  }
});
