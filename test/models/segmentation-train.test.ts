import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/setup.js';
import { syntheticLabelDataset } from '../../src/models/segmentation-data.js';
import { trainSegmentation } from '../../src/models/segmentation-train.js';

test('trainSegmentation init: starts from the given checkpoint\'s weights (a near-zero learning rate keeps them), not from the seed', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-seg-init-'));
  const data = syntheticLabelDataset(1, 2, { size: 32 });
  const common = { kind: 'deeplab', options: { baseWidth: 4, asppChannels: 8, lowLevelChannels: 4 }, data, trainIndices: [0, 1], crop: 32, epochs: 1, batchSize: 2, progress: false };
  const first = await trainSegmentation({ ...common, learningRate: 1e-2, seed: 1, checkpoint: join(dir, 'a.ckpt') });
  const second = await trainSegmentation({ ...common, learningRate: 1e-12, seed: 2, init: join(dir, 'a.ckpt') });
  const fresh = await trainSegmentation({ ...common, learningRate: 1e-12, seed: 2 });
  try {
    const values = (m: typeof first.model) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
    const [a, b, c] = [values(first.model), values(second.model), values(fresh.model)];
    assert.equal(a.length, b.length);
    let worst = 0, apart = 0;
    for (let i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
      apart = Math.max(apart, Math.abs(a[i] - c[i]));
    }
    assert.ok(worst < 1e-6, `init weights moved by ${worst}`);
    assert.ok(apart > 1e-2, 'a model of another seed differs');
    assert.equal(second.meta.kind, 'deeplab');
  } finally {
    for (const r of [first, second, fresh]) r.model.dispose();
  }
});
