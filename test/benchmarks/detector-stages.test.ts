import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DETECTOR_STAGES, profileDetectorStages } from '../../src/benchmarks/detector-stages.js';
import { initEngine } from '../../src/engine/setup.js';
import type { Detections } from '../../src/models/detection/types.js';
import { syntheticData } from '../../src/pipeline/dataset.js';
import { detectPreparedWith } from '../../src/pipeline/infer.js';
import { openRuntimeDetector } from '../../src/pipeline/onnx.js';
import { prepareSample } from '../../src/pipeline/samples.js';

function plain(d: Detections): unknown {
  return { boxes: Array.from(d.boxes), labels: Array.from(d.labels), scores: Array.from(d.scores), masks: d.masks?.map((m) => Array.from(m)) };
}

for (const runtime of ['tfjs', 'onnx'] as const) {
  test(`bench detector-stages (${runtime}): the profiled steps give the detections of the detector's own predict, and every Mask R-CNN stage is timed`, async () => {
    await initEngine();
    const images = 2;
    const profile = await profileDetectorStages('mask-rcnn', runtime, undefined, images);
    const detector = await openRuntimeDetector('mask-rcnn', runtime, undefined);
    try {
      const data = syntheticData(2, images, detector.imgsz);
      for (let i = 0; i < images; i++) {
        const sample = await prepareSample(data, i, 0, { imgsz: detector.imgsz });
        const [d] = await detectPreparedWith(detector.model, detector.family, [sample], detector.imgsz);
        assert.ok(d.labels.length > 0, `image ${i} has detections`);
        assert.deepEqual(plain(profile.detections[i]), plain(d), `image ${i}`);
      }
    } finally {
      await detector.dispose();
    }
    assert.deepEqual(Object.keys(profile.stages), [...DETECTOR_STAGES]);
    for (const s of DETECTOR_STAGES) assert.ok(profile.stages[s]! >= 0, s);
  });
}

test('bench detector-stages refuses a model it has no stages for', async () => {
  await assert.rejects(() => profileDetectorStages('yolov1', 'tfjs', undefined, 1), /faster-rcnn and mask-rcnn, got 'yolov1'/);
});
