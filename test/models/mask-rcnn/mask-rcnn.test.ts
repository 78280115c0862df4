import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { imagesToTensor, syntheticDetectionSet } from '../../../src/models/detection/synthetic-data.js';
import { MaskRCNN } from '../../../src/models/mask-rcnn/mask-rcnn.js';

for (const maskFeatureStages of [[], [1]]) {
test(`Mask R-CNN (mask branch on the feature map${maskFeatureStages.length ? ' + stage 1' : ''}) overfits one synthetic image: loss_mask drops and each object gets a mask of IoU ≥ 0.6 with its own`, async () => {
  await initEngine();
  const data = syntheticDetectionSet(12, 1, { size: 64, minObjects: 2, maxObjects: 2, smallFraction: 0 });
  const model = new MaskRCNN({
    seed: 2,
    backbone: { widths: [8, 16, 32] },
    representationSize: 64,
    maskHeadWidth: 16,
    maskFeatureStages,
    rpn: { batchSizePerImage: 128, preNmsTopNTrain: 300, postNmsTopNTrain: 100, preNmsTopNTest: 300, postNmsTopNTest: 50 },
    roiHeads: { batchSizePerImage: 64 },
  });
  const images = imagesToTensor(data.map((d) => d.sample.image), 64, 64);
  const optimizer = tf.train.adam(3e-3);
  const history: Array<Record<string, number>> = [];
  for (let step = 0; step < 80; step++) history.push(model.trainStep(optimizer, images, [data[0].target]));
  const lastMask = history.slice(-10).reduce((s, h) => s + h.loss_mask, 0) / 10;
  assert.ok(lastMask < 0.4 * history[0].loss_mask, `loss_mask ${history[0].loss_mask} → ${lastMask}`);
  const [det] = model.predict(images);
  assert.ok(det.masks && det.masks.length === det.labels.length);
  const gt = data[0].target;
  for (let g = 0; g < gt.labels.length; g++) {
    let best = 0;
    for (let j = 0; j < det.labels.length; j++) {
      if (det.labels[j] !== gt.labels[g] || det.scores[j] < 0.5) continue;
      let inter = 0, union = 0;
      for (let p = 0; p < 64 * 64; p++) {
        inter += det.masks![j][p] & gt.masks![g][p];
        union += det.masks![j][p] | gt.masks![g][p];
      }
      best = Math.max(best, inter / union);
    }
    assert.ok(best >= 0.6, `object ${g}: best mask IoU ${best}`);
  }
  optimizer.dispose();
  images.dispose();
  model.dispose();
});
}

test('Mask R-CNN mask branch input: feature-map channels plus those of each maskFeatureStages stage; stages must be finer than the feature map', async () => {
  await initEngine();
  const options = { backbone: { widths: [8, 16, 32] }, representationSize: 32, maskHeadWidth: 8 };
  const plain = new MaskRCNN(options);
  const fine = new MaskRCNN({ ...options, maskFeatureStages: [0, 1] });
  assert.deepEqual(plain.maskHead.inputs[0].shape, [null, 14, 14, 32]);
  assert.deepEqual(fine.maskHead.inputs[0].shape, [null, 14, 14, 32 + 8 + 16]);
  assert.throws(() => new MaskRCNN({ ...options, maskFeatureStages: [2] }), /maskFeatureStages entry 2 .*\(0\.\.1\)/);
  plain.dispose();
  fine.dispose();
});
