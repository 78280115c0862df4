import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { boxIou } from '../../../src/boxes/iou.js';
import { makeOptimizer } from '../../../src/engine/optimizer.js';
import { initEngine } from '../../../src/engine/setup.js';
import { ClassLocNet } from '../../../src/models/classloc/classloc.js';
import { imagesToTensor, syntheticDetectionSet } from '../../../src/models/detection/synthetic-data.js';

const TINY = { imageSize: 32, backbone: { widths: [8, 16] }, hiddenSize: 32, seed: 4 };

test('classification + localization targets, by hand: class index and (cx, cy, w, h) as fractions of the image', async () => {
  await initEngine();
  const net = new ClassLocNet({ ...TINY, imageSize: 64 });
  try {
    const t = net.targets([{ boxes: Float32Array.of(8, 16, 40, 48), labels: Int32Array.of(2) }], 64, 64);
    assert.deepEqual(Array.from(t.labels), [1]);
    assert.deepEqual(Array.from(t.boxes), [0.375, 0.5, 0.5, 0.5]); // centre (24, 32), 32 × 32 px in 64²
    assert.throws(() => net.targets([{ boxes: new Float32Array(8), labels: Int32Array.of(1, 2) }], 64, 64), /exactly one/);
  } finally {
    net.dispose();
  }
});

test('the multitask loss equals L_cls + λ·L_box computed by hand from the network outputs', async () => {
  await initEngine();
  const samples = syntheticDetectionSet(3, 3, { size: 32, minObjects: 1, maxObjects: 1 });
  const targets = samples.map((s) => s.target);
  for (const boxWeight of [1, 10]) {
    const net = new ClassLocNet({ ...TINY, boxWeight });
    const images = imagesToTensor(samples.map((s) => s.sample.image), 32, 32);
    try {
      const losses = tf.tidy(() => Object.fromEntries(Object.entries(net.forwardTrain(images, targets)).map(([k, v]) => [k, v.dataSync()[0]])));
      // the same forward pass by hand: softmax cross-entropy of the true class, squared box error
      const [logits, box] = tf.tidy(() => {
        const [l, b] = net.head.apply(net.backbone.model.apply(images, { training: true }) as tf.Tensor4D, { training: true }) as tf.Tensor[];
        return [l.arraySync() as number[][], b.arraySync() as number[][]];
      });
      let cls = 0, reg = 0;
      samples.forEach((s, i) => {
        const row = logits[i];
        const max = Math.max(...row);
        const logSum = Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0)) + max;
        cls += logSum - row[s.target.labels[0] - 1];
        const [x1, y1, x2, y2] = s.target.boxes;
        const want = [(x1 + x2) / 64, (y1 + y2) / 64, (x2 - x1) / 32, (y2 - y1) / 32];
        want.forEach((v, k) => (reg += (box[i][k] - v) ** 2));
      });
      assert.ok(Math.abs(losses.loss_classifier - cls / 3) < 1e-5, `${losses.loss_classifier} vs ${cls / 3}`);
      assert.ok(Math.abs(losses.loss_box_reg - (boxWeight * reg) / 3) < 1e-5 * boxWeight, `${losses.loss_box_reg} vs ${(boxWeight * reg) / 3}`);
    } finally {
      images.dispose();
      net.dispose();
    }
  }
});

test('classification + localization overfits four one-object images: right classes, boxes at IoU > 0.7', async () => {
  await initEngine();
  const samples = syntheticDetectionSet(5, 4, { size: 32, minObjects: 1, maxObjects: 1 });
  const net = new ClassLocNet(TINY);
  const optimizer = makeOptimizer({ kind: 'adam', learningRate: 3e-3 });
  const images = imagesToTensor(samples.map((s) => s.sample.image), 32, 32);
  try {
    let first = 0, last = 0;
    for (let step = 0; step < 250; step++) {
      last = net.trainStep(optimizer, images, samples.map((s) => s.target)).loss;
      if (step === 0) first = last;
    }
    assert.ok(last < first / 10, `loss ${first} → ${last}`);
    const detections = net.predict(images);
    detections.forEach((d, i) => {
      assert.equal(d.labels.length, 1);
      assert.equal(d.labels[0], samples[i].target.labels[0]);
      const iou = boxIou(d.boxes, samples[i].target.boxes)[0];
      assert.ok(iou > 0.7, `image ${i}: IoU ${iou}`);
    });
  } finally {
    optimizer.dispose();
    images.dispose();
    net.dispose();
  }
});

test("classPooling 'max': the class scores are the dense layer over [shared layer, global max-pool of the features], by hand", async () => {
  await initEngine();
  const samples = syntheticDetectionSet(6, 2, { size: 32, minObjects: 1, maxObjects: 1 });
  const net = new ClassLocNet({ ...TINY, classPooling: 'max' });
  const images = imagesToTensor(samples.map((s) => s.sample.image), 32, 32);
  try {
    const [features, logits] = tf.tidy(() => {
      const f = net.backbone.model.apply(images, { training: false }) as tf.Tensor4D; // [B, h, w, C]
      const [l] = net.head.apply(f, { training: false }) as tf.Tensor[];
      return [f.arraySync() as number[][][][], l.arraySync() as number[][]];
    });
    const weight = (name: string) => net.head.getLayer(name).getWeights().map((w) => w.arraySync());
    const [fcKernel, fcBias] = weight('classloc_fc') as [number[][], number[]];
    const [clsKernel, clsBias] = weight('classloc_cls') as [number[][], number[]];
    features.forEach((map, b) => {
      const flat = map.flat(2); // h, w, C order: the flatten layer's
      const hidden = fcBias.map((bias, j) => Math.max(0, flat.reduce((a, v, i) => a + v * fcKernel[i][j], bias)));
      const channels = map[0][0].length;
      const pooled = Array.from({ length: channels }, (_, c) => Math.max(...map.flat(1).map((cell) => cell[c])));
      const input = [...hidden, ...pooled];
      assert.equal(clsKernel.length, input.length);
      clsBias.forEach((bias, k) => {
        const want = input.reduce((a, v, i) => a + v * clsKernel[i][k], bias);
        assert.ok(Math.abs(logits[b][k] - want) < 1e-4 * Math.max(1, Math.abs(want)), `image ${b} class ${k}: ${logits[b][k]} vs ${want}`);
      });
    });
    assert.throws(() => new ClassLocNet({ ...TINY, classPooling: 'mean' as 'max' }), /classPooling/);
  } finally {
    images.dispose();
    net.dispose();
  }
});
