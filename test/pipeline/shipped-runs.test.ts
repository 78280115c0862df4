import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/setup.js';
import { checkpointImageSize, loadDetector } from '../../src/pipeline/weights.js';
import { SEMANTIC_CHANNELS } from '../../src/models/panoptic/data.js';
import { loadSemanticHead } from '../../src/models/panoptic/semantic-head.js';
import { trainShippedRuns } from '../../src/pipeline/shipped-runs.js';
import { sharedData } from '../helpers/shared.js';

test('--retrain --quick: the classification + localization, panoptic and Penn-Fudan runs each come out as a loadable checkpoint of its family', async (t) => {
  const pennfudan = sharedData(t, 'pennfudan', 'annotations');
  if (pennfudan === undefined) return;
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-runs-'));
  try {
    const out = await trainShippedRuns(dir, { quick: true, shared: pennfudan });
    assert.deepEqual(Object.keys(out).sort(), ['classloc', 'panoptic-mask-rcnn', 'panoptic-semantic', 'pedestrian-mask-rcnn']);
    const { model: semantic } = loadSemanticHead(out['panoptic-semantic']);
    assert.deepEqual(semantic.outputs[0].shape, [null, null, null, SEMANTIC_CHANNELS]);
    semantic.dispose();
    delete out['panoptic-semantic'];
    const expected: Record<string, { kind: string; classes: string[]; imgsz: number }> = {
      classloc: { kind: 'classloc', classes: ['circle', 'square', 'triangle'], imgsz: 64 },
      'pedestrian-mask-rcnn': { kind: 'mask-rcnn', classes: ['person'], imgsz: 256 },
      'panoptic-mask-rcnn': { kind: 'mask-rcnn', classes: ['circle', 'square', 'triangle'], imgsz: 128 },
    };
    for (const [name, path] of Object.entries(out)) {
      const detector = loadDetector(expected[name].kind, path);
      assert.deepEqual(detector.classes, expected[name].classes);
      assert.equal(checkpointImageSize(detector.meta), expected[name].imgsz);
      detector.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
