import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/engine/checkpoint.js';
import { initEngine } from '../../src/engine/setup.js';
import { segmentationModelFromCheckpoint } from '../../src/models/segmentation-registry.js';
import { SHIPPED_SEGMENTATION, trainShippedSegmentation } from '../../src/pipeline/shipped-segmentation.js';
import { segmentationCheckpointPath } from '../../src/report/sections/segmentation-families.js';

test('--retrain --quick: every shipped segmentation model (and its LV fold) comes out as a checkpoint of its kind and options, without optimizer slots', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-seg-runs-'));
  try {
    const out = await trainShippedSegmentation(dir, { quick: true });
    const expected = SHIPPED_SEGMENTATION.flatMap((s) => [`segmentation-${s.kind}`, ...(s.lvFold === undefined ? [] : [`segmentation-${s.kind}-lv-fold${s.lvFold}`])]);
    assert.deepEqual(Object.keys(out).sort(), expected.sort());
    for (const s of SHIPPED_SEGMENTATION) {
      for (const [name, classes] of [[`segmentation-${s.kind}`, 4], [`segmentation-${s.kind}-lv-fold${s.lvFold}`, 2]] as const) {
        if (!out[name]) continue;
        const ckpt = loadCheckpoint(out[name]);
        assert.equal(ckpt.optimizer.length, 0, `${name}: no optimizer slots`);
        const loaded = segmentationModelFromCheckpoint(ckpt, out[name]);
        assert.equal(loaded.meta.kind, s.kind);
        assert.deepEqual(loaded.meta.options, s.options);
        assert.equal(loaded.meta.numClasses, classes);
        loaded.model.dispose();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shipped segmentation checkpoints are the recipes\' kinds and options', () => {
  for (const s of SHIPPED_SEGMENTATION) {
    for (const path of [segmentationCheckpointPath(s.kind), ...(s.lvFold === undefined ? [] : [segmentationCheckpointPath(s.kind, s.lvFold)])]) {
      assert.ok(existsSync(path), `${path} ships`);
      const meta = loadCheckpoint(path).meta ?? {};
      assert.equal(meta.kind, s.kind, path);
      assert.deepEqual(meta.options, s.options, path);
    }
  }
});
