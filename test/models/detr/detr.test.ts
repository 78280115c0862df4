import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { boxIou } from '../../../src/boxes/iou.js';
import { makeOptimizer } from '../../../src/engine/optimizer.js';
import { initEngine } from '../../../src/engine/setup.js';
import { imagesToTensor, syntheticDetectionSet } from '../../../src/models/detection/synthetic-data.js';
import { DetrNet, type DetrOptions } from '../../../src/models/detr/detr.js';
import { selectProposals } from '../../../src/models/detr/proposal-selection.js';
import { setLoss } from '../../../src/models/detr/set-loss.js';

const TINY: DetrOptions = { numClasses: 3, backbone: { widths: [8, 16, 32] }, d: 32, heads: 2, encoderLayers: 1, decoderLayers: 2, feedforward: 64, queries: 6, seed: 1 };

test('DETR targets by hand: class index 0..C−1 and (cx, cy, w, h) as fractions of the image', async () => {
  await initEngine();
  const net = new DetrNet(TINY);
  try {
    const [t] = net.setTargets([{ boxes: Float32Array.of(8, 16, 40, 48, 0, 0, 64, 32), labels: Int32Array.of(2, 3) }], 64, 128);
    assert.deepEqual(Array.from(t.labels), [1, 2]);
    assert.deepEqual(Array.from(t.boxes), [0.375, 0.25, 0.5, 0.25, 0.5, 0.125, 1, 0.25]);
  } finally {
    net.dispose();
  }
});

test('DETR losses: the set loss of every decoder layer, each matched on its own, summed with weights 1, 5, 2 (last layer only without auxiliary losses)', async () => {
  await initEngine();
  const samples = syntheticDetectionSet(2, 2, { size: 64 });
  const images = imagesToTensor(samples.map((s) => s.sample.image), 64, 64);
  const targets = samples.map((s) => s.target);
  for (const auxLoss of [true, false]) {
    const net = new DetrNet({ ...TINY, auxLoss, decoderLayers: 3 });
    try {
      const got = tf.tidy(() => Object.fromEntries(Object.entries(net.forwardTrain(images, targets)).map(([k, v]) => [k, v.dataSync()[0]])));
      const want = tf.tidy(() => {
        const out = net.outputs(images, true);
        const sum = { loss_ce: 0, loss_bbox: 0, loss_giou: 0 };
        for (let l = auxLoss ? 0 : 2; l < 3; l++) {
          const t = setLoss(out.logits[l], out.boxes[l], net.setTargets(targets, 64, 64));
          sum.loss_ce += t.ce.dataSync()[0];
          sum.loss_bbox += 5 * t.l1.dataSync()[0];
          sum.loss_giou += 2 * t.giou.dataSync()[0];
        }
        return sum;
      });
      for (const k of Object.keys(want) as Array<keyof typeof want>) assert.ok(Math.abs(got[k] - want[k]) < 1e-4 * Math.max(1, want[k]), `${k} (aux ${auxLoss}): ${got[k]} vs ${want[k]}`);
    } finally {
      net.dispose();
    }
  }
  images.dispose();
});

test('DETR trainStep: gradient clipped to global norm clipNorm, then decoupled weight decay w ← w − lr·wd·w (plain SGD, by hand)', async () => {
  await initEngine();
  const samples = syntheticDetectionSet(4, 1, { size: 64 });
  const images = imagesToTensor(samples.map((s) => s.sample.image), 64, 64);
  const targets = samples.map((s) => s.target);
  const lr = 0.01, wd = 0.5, clipNorm = 0.1;
  const net = new DetrNet({ ...TINY, clipNorm, weightDecay: wd });
  const optimizer = makeOptimizer({ kind: 'sgd', learningRate: lr, momentum: 0 });
  try {
    const variables = net.variables();
    const before = variables.map((v) => v.dataSync().slice() as Float32Array);
    const { grads, norm } = tf.tidy(() => {
      const g = tf.variableGrads(() => tf.addN(Object.values(net.forwardTrain(images, targets))) as tf.Scalar, variables).grads;
      const arrays = variables.map((v) => (g[v.name] ? g[v.name].dataSync().slice() : new Float32Array(v.size)) as Float32Array);
      return { grads: arrays, norm: Math.sqrt(arrays.reduce((s, a) => s + a.reduce((t, x) => t + x * x, 0), 0)) };
    });
    assert.ok(norm > clipNorm, `the test needs a gradient above the clip norm (‖g‖ = ${norm})`);
    net.trainStep(optimizer, images, targets);
    const scale = clipNorm / norm;
    let checked = 0;
    variables.forEach((v, i) => {
      const after = v.dataSync();
      for (let k = 0; k < Math.min(after.length, 3); k++) {
        const want = (before[i][k] - lr * scale * grads[i][k]) * (1 - lr * wd);
        assert.ok(Math.abs(after[k] - want) < 1e-5 + 1e-4 * Math.abs(want), `${v.name}[${k}]: ${after[k]} vs ${want}`);
        checked++;
      }
    });
    assert.ok(checked > 50);
  } finally {
    optimizer.dispose();
    images.dispose();
    net.dispose();
  }
});

test('DETR overfits two images in 60 steps: the loss falls at least 5×, and every object is found (same class, IoU > 0.5) among the top detections', async () => {
  await initEngine();
  const samples = syntheticDetectionSet(5, 2, { size: 64, minObjects: 2, maxObjects: 3 });
  const images = imagesToTensor(samples.map((s) => s.sample.image), 64, 64);
  const targets = samples.map((s) => s.target);
  const net = new DetrNet({ ...TINY, weightDecay: 0 });
  const optimizer = makeOptimizer({ kind: 'adam', learningRate: 3e-3 });
  try {
    const first = net.trainStep(optimizer, images, targets).loss;
    let last = first;
    for (let step = 1; step < 60; step++) last = net.trainStep(optimizer, images, targets).loss;
    assert.ok(last < first / 5, `loss ${first} → ${last}`);
    net.predict(images).forEach((d, b) => {
      const t = targets[b];
      const m = t.labels.length;
      const top = d.boxes.slice(0, 4 * m); // the m most confident detections
      const iou = boxIou(t.boxes, top); // [m objects, m detections]
      for (let j = 0; j < m; j++) {
        const found = Array.from({ length: m }, (_, k) => k).some((k) => d.labels[k] === t.labels[j] && iou[j * m + k] > 0.5);
        assert.ok(found, `image ${b} object ${j} (label ${t.labels[j]}) not found among the top ${m}: labels ${Array.from(d.labels.slice(0, m))}, IoU ${Array.from(iou.slice(j * m, j * m + m), (v) => v.toFixed(2))}`);
      }
    });
  } finally {
    optimizer.dispose();
    images.dispose();
    net.dispose();
  }
});

test('DETR anchor points: a 3 × 3 grid for 7 queries filled row by row; with a zero box head every box is centred on its anchor (w = h = ½)', async () => {
  await initEngine();
  const net = new DetrNet({ ...TINY, queries: 7, anchorPoints: true });
  try {
    const points = Array.from(net.anchorPoints());
    const want = [1 / 6, 1 / 6, 1 / 2, 1 / 6, 5 / 6, 1 / 6, 1 / 6, 1 / 2, 1 / 2, 1 / 2, 5 / 6, 1 / 2, 1 / 6, 5 / 6];
    want.forEach((v, k) => assert.ok(Math.abs(points[k] - v) < 1e-6, `anchor value ${k}: ${points[k]} vs ${v}`));
    for (const name of ['bbox_embed2_w', 'bbox_embed2_b']) net.params.get(name).assign(tf.zerosLike(net.params.get(name)));
    const images = imagesToTensor(syntheticDetectionSet(2, 1, { size: 64 }).map((s) => s.sample.image), 64, 64);
    const boxes = tf.tidy(() => net.outputs(images, false).boxes.map((b) => b.arraySync() as number[][][]));
    images.dispose();
    for (const layer of boxes) {
      layer[0].forEach(([cx, cy, w, h], q) => {
        assert.ok(Math.abs(cx - points[2 * q]) < 1e-6 && Math.abs(cy - points[2 * q + 1]) < 1e-6, `query ${q}: centre ${cx}, ${cy}`);
        assert.ok(Math.abs(w - 0.5) < 1e-6 && Math.abs(h - 0.5) < 1e-6, `query ${q}: size ${w} × ${h}`);
      });
    }
  } finally {
    net.dispose();
  }
});

test('DETR frozenBackbone: a step leaves every backbone weight and batch-norm statistic as it was and moves the transformer', async () => {
  await initEngine();
  const samples = syntheticDetectionSet(4, 2, { size: 64 });
  const images = imagesToTensor(samples.map((s) => s.sample.image), 64, 64);
  const targets = samples.map((s) => s.target);
  const net = new DetrNet({ ...TINY, frozenBackbone: true });
  const optimizer = makeOptimizer({ kind: 'adam', learningRate: 0.01 });
  try {
    const backbone = net.backbone.model.weights.map((w) => w.read() as tf.Variable);
    const transformer = net.params.model.trainableWeights.map((w) => w.read() as tf.Variable);
    assert.ok(backbone.some((w) => w.name.includes('moving')), 'the backbone has batch-norm statistics');
    const snapshot = (ws: tf.Tensor[]) => ws.map((w) => w.dataSync().slice() as Float32Array);
    const [b0, t0] = [snapshot(backbone), snapshot(transformer)];
    assert.equal(net.variables().length, transformer.length);
    net.trainStep(optimizer, images, targets);
    snapshot(backbone).forEach((after, i) => assert.deepEqual(after, b0[i], backbone[i].name));
    const moved = snapshot(transformer).filter((after, i) => after.some((x, k) => x !== t0[i][k])).length;
    assert.ok(moved > transformer.length / 2, `${moved} of ${transformer.length} transformer weights moved`);
  } finally {
    optimizer.dispose();
    images.dispose();
    net.dispose();
  }
});

test('DETR two-stage queries: the N encoder cells with the most probable real class, by a plain loop; with a zero box head each query keeps its proposal box; the loss adds the encoder set loss', async () => {
  await initEngine();
  const samples = syntheticDetectionSet(3, 2, { size: 64 });
  const images = imagesToTensor(samples.map((s) => s.sample.image), 64, 64);
  const targets = samples.map((s) => s.target);
  const net = new DetrNet({ ...TINY, twoStage: true });
  try {
    for (const name of ['bbox_embed2_w', 'bbox_embed2_b']) net.params.get(name).assign(tf.zerosLike(net.params.get(name)));
    const got = tf.tidy(() => {
      const out = net.outputs(images, false);
      const enc = out.encoder!;
      return { probabilities: tf.softmax(enc.logits).arraySync() as number[][][], encBoxes: enc.boxes.arraySync() as number[][][], cells: Array.from(enc.cells), boxes: out.boxes.map((b) => b.arraySync() as number[][][]), hw: out.featureHeight * out.featureWidth };
    });
    const n = net.queries;
    for (let b = 0; b < 2; b++) {
      const score = got.probabilities[b].map((p) => Math.max(...p.slice(0, 3)));
      const want = score.map((s, k) => [s, k]).sort((x, y) => y[0] - x[0] || x[1] - y[1]).slice(0, n).map(([, k]) => k);
      assert.deepEqual(got.cells.slice(b * n, (b + 1) * n), want, `image ${b}: the chosen cells`);
      for (const layer of got.boxes) {
        layer[b].forEach((box, q) => box.forEach((v, k) => assert.ok(Math.abs(v - got.encBoxes[b][want[q]][k]) < 1e-4, `image ${b} query ${q} box[${k}]: ${v} vs ${got.encBoxes[b][want[q]][k]}`)));
      }
    }
    // an untrained cell's box is centred on the cell with side proposalSize (0.15)
    const centre = tf.tidy(() => {
      for (const name of ['enc_bbox2_w', 'enc_bbox2_b']) net.params.get(name).assign(tf.zerosLike(net.params.get(name)));
      return net.outputs(images, false).encoder!.boxes.arraySync() as number[][][];
    });
    const side = Math.sqrt(got.hw);
    centre[0].forEach(([cx, cy, w, h], k) => {
      assert.ok(Math.abs(cx - ((k % side) + 0.5) / side) < 1e-5 && Math.abs(cy - (Math.floor(k / side) + 0.5) / side) < 1e-5, `cell ${k}: centre ${cx}, ${cy}`);
      assert.ok(Math.abs(w - 0.15) < 1e-5 && Math.abs(h - 0.15) < 1e-5, `cell ${k}: size ${w} × ${h}`);
    });
    const loss = tf.tidy(() => Object.fromEntries(Object.entries(net.forwardTrain(images, targets)).map(([k, v]) => [k, v.dataSync()[0]])));
    const want = tf.tidy(() => {
      const out = net.outputs(images, true);
      const sum = { loss_ce: 0, loss_bbox: 0, loss_giou: 0 };
      for (const [logits, boxes] of [...out.logits.map((l, i) => [l, out.boxes[i]]), [out.encoder!.logits, out.encoder!.boxes]]) {
        const t = setLoss(logits, boxes, net.setTargets(targets, 64, 64));
        sum.loss_ce += t.ce.dataSync()[0];
        sum.loss_bbox += 5 * t.l1.dataSync()[0];
        sum.loss_giou += 2 * t.giou.dataSync()[0];
      }
      return sum;
    });
    for (const k of Object.keys(want) as Array<keyof typeof want>) assert.ok(Math.abs(loss[k] - want[k]) < 1e-4 * Math.max(1, want[k]), `${k}: ${loss[k]} vs ${want[k]}`);
    assert.throws(() => new DetrNet({ ...TINY, twoStage: true, anchorPoints: true }), /choose one/);
  } finally {
    images.dispose();
    net.dispose();
  }
});

test('DETR proposalNms and pairDetections: the chosen cells are selectProposals\' on the encoder\'s scores and boxes; every (query, real class) pair is a detection, by a plain loop', async () => {
  await initEngine();
  const samples = syntheticDetectionSet(4, 2, { size: 64 });
  const images = imagesToTensor(samples.map((s) => s.sample.image), 64, 64);
  const net = new DetrNet({ ...TINY, twoStage: true, proposalNms: 0.3, pairDetections: true, maxDetections: 10 });
  try {
    const n = net.queries, c = net.numClasses;
    const got = tf.tidy(() => {
      const out = net.outputs(images, false);
      const enc = out.encoder!;
      const last = out.logits.length - 1;
      return { probabilities: tf.softmax(enc.logits).dataSync() as Float32Array, encBoxes: enc.boxes.dataSync() as Float32Array, cells: Array.from(enc.cells), queryProbabilities: tf.softmax(out.logits[last]).arraySync() as number[][][], boxes: out.boxes[last].arraySync() as number[][][], hw: out.featureHeight * out.featureWidth };
    });
    let suppressedAny = false;
    for (let b = 0; b < 2; b++) {
      const score = Float32Array.from({ length: got.hw }, (_, k) => Math.max(...got.probabilities.subarray((b * got.hw + k) * (c + 1), (b * got.hw + k) * (c + 1) + c)));
      const boxes = got.encBoxes.subarray(4 * b * got.hw, 4 * (b + 1) * got.hw);
      const want = Array.from(selectProposals(score, boxes, n, 0.3));
      assert.deepEqual(got.cells.slice(b * n, (b + 1) * n), want, `image ${b}: the chosen cells`);
      suppressedAny ||= want.join() !== Array.from(selectProposals(score, boxes, n)).join();
    }
    assert.ok(suppressedAny, 'the untrained cells overlap: suppression changes the choice');
    assert.throws(() => new DetrNet({ ...TINY, twoStage: true, proposalNms: 1.5 }), /proposalNms must be an IoU threshold in \[0, 1\], got 1.5/);
    assert.throws(() => new DetrNet({ ...TINY, twoStage: true, proposalNms: Number.NaN }), /got null/);
    assert.throws(() => new DetrNet({ ...TINY, twoStage: true, proposalNms: '0.7' as unknown as number }), /got "0.7"/);
    assert.throws(() => new DetrNet({ ...TINY, proposalNms: 0.7 }), /needs twoStage/);
    const detections = net.predict(images);
    detections.forEach((d, b) => {
      const pairs = got.queryProbabilities[b].flatMap((p, q) => p.slice(0, c).map((v, k) => ({ v, q, k }))).sort((x, y) => y.v - x.v || x.q - y.q || x.k - y.k).slice(0, 10);
      assert.equal(d.scores.length, 10);
      pairs.forEach(({ v, q, k }, i) => {
        assert.ok(Math.abs(d.scores[i] - v) < 1e-6 && d.labels[i] === k + 1, `image ${b} detection ${i}: ${d.scores[i]} label ${d.labels[i]} vs ${v} label ${k + 1}`);
        const [cx, cy, w, h] = got.boxes[b][q];
        const want = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2].map((v2) => Math.min(Math.max(v2 * 64, 0), 64));
        want.forEach((v2, j) => assert.ok(Math.abs(d.boxes[4 * i + j] - v2) < 1e-3, `image ${b} detection ${i} box[${j}]`));
      });
    });
  } finally {
    images.dispose();
    net.dispose();
  }
});
