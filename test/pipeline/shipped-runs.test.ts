import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/setup.js';
import { loadDetector } from '../../src/pipeline/weights.js';
import { trainShippedRuns } from '../../src/pipeline/shipped-runs.js';
import { sharedData } from '../helpers/shared.js';

test('--retrain --quick: the classification + localization and Penn-Fudan runs each come out as a loadable checkpoint of its family', async (t) => {
  const pennfudan = sharedData(t, 'pennfudan', 'annotations');
  if (pennfudan === undefined) return;
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-runs-'));
  try {
    const out = await trainShippedRuns(dir, { quick: true, shared: pennfudan });
    assert.deepEqual(Object.keys(out).sort(), ['classloc', 'pedestrian-mask-rcnn']);
    const expected: Record<string, { kind: string; classes: string[]; imgsz: number }> = {
      classloc: { kind: 'classloc', classes: ['circle', 'square', 'triangle'], imgsz: 64 },
      'pedestrian-mask-rcnn': { kind: 'mask-rcnn', classes: ['person'], imgsz: 256 },
    };
    for (const [name, path] of Object.entries(out)) {
      const detector = loadDetector(expected[name].kind, path);
      assert.deepEqual(detector.classes, expected[name].classes);
      assert.equal(detector.meta.imgsz, expected[name].imgsz);
      detector.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
