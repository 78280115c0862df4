import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { saveCheckpoint } from '../../src/engine/checkpoint.js';
import { initEngine, tf } from '../../src/engine/setup.js';
import { captureModelWeights } from '../../src/engine/state.js';
import { loadSegmentationCheckpoint } from '../../src/models/segmentation-checkpoint.js';
import { segmentationFamily, type SegmentationCheckpointMeta } from '../../src/models/segmentation-registry.js';
import { predictLabelMaps } from '../../src/models/segmentation-train.js';
import { predictFullMasks } from '../../src/models/unet/dataset.js';
import { buildUNet } from '../../src/models/unet/unet.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';

const bare = { epoch: 1, step: 1, rng: { seed: 0, state: 1 }, optimizer: [], optimizerName: 'adam' };

test('a binary U-Net checkpoint (detseg-unet) loads as 2 classes whose arg-max is the binary model\'s logit > 0, pixel for pixel', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-segckpt-'));
  const binary = buildUNet({ depth: 2, baseWidth: 4, seed: 3, inputSize: null });
  const file = join(dir, 'old.ckpt');
  saveCheckpoint(file, { ...bare, model: captureModelWeights(binary), meta: { format: 'detseg-unet', unet: { depth: 2, baseWidth: 4, seed: 3 }, crop: 32, data: 'x' } });
  const loaded = loadSegmentationCheckpoint(file, 'unet');
  try {
    assert.deepEqual([loaded.format, loaded.multiple, loaded.crop, loaded.meta.numClasses, loaded.meta.inChannels], ['detseg-unet', 4, 32, 2, 1]);
    const random = mulberry32(7);
    // sizes that are not multiples of 4: both paths pad the same way
    const images = [[20, 24], [13, 9]].map(([h, w]) => ({ height: h, width: w, channels: 1, image: Float32Array.from({ length: h * w }, () => random()) }));
    const labels = predictLabelMaps(loaded.model, images, loaded.multiple);
    const masks = predictFullMasks(binary, images, 4);
    let foreground = 0;
    for (let k = 0; k < images.length; k++) {
      assert.deepEqual(labels[k], masks[k]);
      foreground += masks[k].reduce((a, b) => a + b, 0);
    }
    assert.ok(foreground > 0 && foreground < 20 * 24 + 13 * 9, `both classes occur (${foreground} foreground pixels)`);
  } finally {
    loaded.model.dispose();
    binary.dispose();
  }
  rmSync(dir, { recursive: true, force: true });
});

test('loadSegmentationCheckpoint: the registry format of the asked kind loads; another kind or format is an error naming the file and field', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-segckpt-'));
  const options = { stages: 2, baseWidth: 2 };
  const model = segmentationFamily('fcn').build(options, 3, 3, 1);
  const meta: SegmentationCheckpointMeta = { format: 'detseg-segmentation', kind: 'fcn', options, inChannels: 3, numClasses: 3, classNames: ['background', 'a', 'b'], seed: 1 };
  const file = join(dir, 'fcn.ckpt');
  saveCheckpoint(file, { ...bare, model: captureModelWeights(model), meta: { ...meta, crop: 64 } });
  const loaded = loadSegmentationCheckpoint(file, 'fcn');
  assert.deepEqual([loaded.format, loaded.multiple, loaded.crop, loaded.meta.classNames], ['detseg-segmentation', 4, 64, ['background', 'a', 'b']]);
  const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 5);
  const a = model.predict(x) as tf.Tensor, b = loaded.model.predict(x) as tf.Tensor;
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()), 'the same weights');
  tf.dispose([x, a, b]);
  loaded.model.dispose();
  model.dispose();
  assert.throws(() => loadSegmentationCheckpoint(file, 'deeplab'), (e: unknown) => e instanceof DetsegInputError && e.message === `${file}: meta.kind: is a "fcn" checkpoint, not deeplab`);
  saveCheckpoint(join(dir, 'lv.ckpt'), { ...bare, model: [], meta: { format: 'detseg-unet-lv', lvConfig: { depth: 1, baseWidth: 2 } } });
  assert.throws(() => loadSegmentationCheckpoint(join(dir, 'lv.ckpt'), 'fcn'), /lv\.ckpt: meta\.format: not a segmentation checkpoint \(meta\.format "detseg-unet-lv"/);
  assert.throws(() => loadSegmentationCheckpoint(file, 'pspnet', '--model'), /--model: unknown segmentation model 'pspnet'/);
  rmSync(dir, { recursive: true, force: true });
});
