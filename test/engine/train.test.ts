import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/setup.js';
import { train, type TrainOptions } from '../../src/engine/train.js';
import { loadCheckpoint } from '../../src/engine/checkpoint.js';
import { buildUNet } from '../../src/models/unet/unet.js';
import { sigmoidCrossEntropy } from '../../src/models/losses.js';
import { discBatch } from './synthetic.js';

const EPOCHS = 4;
const STEPS = 3;

function options(model: tf.LayersModel, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    model,
    loss: sigmoidCrossEntropy,
    data: function* (_epoch, random) {
      for (let s = 0; s < STEPS; s++) yield discBatch(random, 2, 16);
    },
    epochs: EPOCHS,
    stepsPerEpoch: STEPS,
    optimizer: { kind: 'adam', learningRate: 3e-3 },
    schedule: { kind: 'cosine', minLr: 1e-4 },
    warmupSteps: 2,
    seed: 5,
    ...extra,
  };
}

function tinyUNet(): tf.LayersModel {
  return buildUNet({ depth: 1, baseWidth: 4, batchNorm: true, seed: 3 });
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

test('a killed run resumed from its checkpoint ends with the same weights as an uninterrupted run', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-train-'));

  const straight = tinyUNet();
  const full = await train(options(straight, { checkpoint: join(dir, 'straight.ckpt') }));
  assert.equal(full.epochsDone, EPOCHS);
  assert.equal(full.steps, EPOCHS * STEPS);

  // The same run, killed after its second epoch (the checkpoint of epoch 2 is on disk) ...
  const ckpt = join(dir, 'killed.ckpt');
  const controller = new AbortController();
  const killed = tinyUNet();
  const partial = await train(options(killed, { checkpoint: ckpt, signal: controller.signal, onEpochEnd: (r) => void (r.epoch === 1 && controller.abort()) }));
  assert.equal(partial.epochsDone, 2);
  assert.equal(loadCheckpoint(ckpt).epoch, 2);
  killed.dispose();

  // ... and resumed in a fresh model built with a different seed (its weights come from the checkpoint).
  const resumedModel = buildUNet({ depth: 1, baseWidth: 4, batchNorm: true, seed: 99 });
  const resumed = await train(options(resumedModel, { checkpoint: ckpt, resume: true }));
  assert.equal(resumed.resumed, true);
  assert.equal(resumed.epochsDone, EPOCHS);
  assert.equal(resumed.steps, EPOCHS * STEPS);
  assert.deepEqual(resumed.history.map((h) => h.loss), full.history.map((h) => h.loss));

  const a = weightsOf(straight);
  const b = weightsOf(resumedModel);
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.deepEqual(b[i], a[i], `weight ${straight.weights[i].originalName}`);
  // The weights did move during training (the comparison is not between two untouched models).
  const initial = weightsOf(tinyUNet());
  assert.notDeepEqual(initial[0], a[0]);
  straight.dispose();
  resumedModel.dispose();
});

test('SGD with momentum and a step schedule lowers the loss and records metrics per epoch', async () => {
  await initEngine();
  const model = buildUNet({ depth: 1, baseWidth: 4, seed: 1 });
  const seen: number[] = [];
  const result = await train(
    options(model, {
      optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9 },
      schedule: { kind: 'step', everySteps: 6, gamma: 0.5 },
      warmupSteps: 0,
      epochs: 6,
      onEpochEnd: (r) => {
        seen.push(r.epoch);
        return { epochTimesTwo: r.epoch * 2 };
      },
    }),
  );
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(result.history.map((h) => h.metrics.epochTimesTwo), [0, 2, 4, 6, 8, 10]);
  // The learning rate of the last step (step 17): 0.05 · 0.5^floor(17/6) = 0.0125
  assert.equal(result.history[5].learningRate, 0.0125);
  assert.ok(result.history[5].loss < result.history[0].loss, `loss ${result.history[0].loss} → ${result.history[5].loss}`);
  model.dispose();
});
