import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/setup.js';
import type { YOLOv1 } from '../../src/models/yolov1/yolov1.js';
import type { DetrNet } from '../../src/models/detr/detr.js';
import { checkpointImageSize, loadDetector } from '../../src/pipeline/weights.js';
import { SEMANTIC_CHANNELS } from '../../src/models/panoptic/data.js';
import { loadSemanticHead } from '../../src/models/panoptic/semantic-head.js';
import { trainShippedRuns } from '../../src/pipeline/shipped-runs.js';
import { sharedDataDir } from '../../src/util/paths.js';

test('--retrain --quick: the classification + localization, YOLOv1, SSD, panoptic and (with ../shared/data) Penn-Fudan runs each come out as a loadable checkpoint of its family', async () => {
  const data = sharedDataDir();
  if (data === undefined && process.env.CI === 'true') throw new Error('CI=true but ../shared/data is missing');
  const pennfudan = data === undefined ? undefined : join(data, 'pennfudan', 'annotations');
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-runs-'));
  const logged: string[] = [];
  try {
    const out = await trainShippedRuns(dir, { quick: true, shared: pennfudan ?? join(dir, 'absent'), log: (line) => logged.push(line) });
    assert.deepEqual(Object.keys(out).sort(), [...(pennfudan ? ['pedestrian-mask-rcnn'] : []), 'classloc', 'panoptic-mask-rcnn', 'panoptic-semantic', 'ssd', 'yolov1', 'detr'].sort());
    if (!pennfudan) assert.ok(logged.includes('retrain: pedestrian-mask-rcnn skipped: ../shared/data/pennfudan is absent'));
    const { model: semantic } = loadSemanticHead(out['panoptic-semantic']);
    assert.deepEqual(semantic.outputs[0].shape, [null, null, null, SEMANTIC_CHANNELS]);
    semantic.dispose();
    delete out['panoptic-semantic'];
    const shapes = ['circle', 'square', 'triangle'];
    const expected: Record<string, { kind: string; classes: string[]; imgsz: number }> = {
      classloc: { kind: 'classloc', classes: shapes, imgsz: 64 },
      'pedestrian-mask-rcnn': { kind: 'mask-rcnn', classes: ['person'], imgsz: 256 },
      yolov1: { kind: 'yolov1', classes: shapes, imgsz: 128 },
      ssd: { kind: 'ssd', classes: shapes, imgsz: 128 },
      detr: { kind: 'detr', classes: shapes, imgsz: 128 },
      'panoptic-mask-rcnn': { kind: 'mask-rcnn', classes: shapes, imgsz: 128 },
    };
    for (const [name, path] of Object.entries(out)) {
      const detector = loadDetector(expected[name].kind, path);
      assert.deepEqual(detector.classes, expected[name].classes);
      assert.equal(checkpointImageSize(detector.meta), expected[name].imgsz);
      if (name === 'yolov1') assert.equal((detector.model as YOLOv1).grid.s, 16, 'the shipped command\'s gridSize 16');
      if (name === 'detr') {
        const options = (detector.model as DetrNet).options;
        assert.equal(options.twoStage, true, 'the shipped command\'s two-stage queries');
        assert.equal(options.frozenBackbone, true, 'the shipped command\'s frozen backbone');
        assert.deepEqual(options.backbone?.widths, [32, 64, 128], 'the SSD\'s backbone');
        assert.equal(options.proposalNms, 0.7, 'the last run\'s proposal NMS');
        assert.equal(options.pairDetections, true, 'the last run\'s query-class pairs');
        const lineage = detector.meta.lineage as Array<{ args: { trainImages?: number }; history: unknown[] }>;
        assert.equal(lineage.length, 4, 'the four DETR runs before the last one (the first starts from the SSD: no lineage)');
        for (const run of lineage) assert.ok(run.args.trainImages! > 0 && run.history.length > 0);
      }
      detector.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
