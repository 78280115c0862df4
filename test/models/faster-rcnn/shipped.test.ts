import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine } from '../../../src/engine/setup.js';
import { evaluateDetections } from '../../../src/models/detection/evaluate.js';
import { heldOutSet, type SyntheticRecipe } from '../../../src/models/detection/recipe.js';
import { imagesToTensor } from '../../../src/models/detection/synthetic-data.js';
import type { Detections } from '../../../src/models/detection/types.js';
import { loadFasterRcnn } from '../../../src/models/faster-rcnn/checkpoint.js';

test('the shipped Faster R-CNN reproduces the held-out COCO mAP recorded when it was trained (200 images, seed 2)', async () => {
  await initEngine();
  const { model, meta } = loadFasterRcnn();
  const recipe = meta.recipe as SyntheticRecipe;
  const recorded = meta.metrics as { mAP: number; mAP50: number };
  const val = heldOutSet(recipe);
  const detections: Detections[] = [];
  for (let i = 0; i < val.length; i += 8) {
    const chunk = val.slice(i, i + 8);
    const images = imagesToTensor(chunk.map((s) => s.sample.image), recipe.imageSize, recipe.imageSize);
    detections.push(...model.predict(images));
    images.dispose();
  }
  model.dispose();
  const coco = evaluateDetections(val, detections, 'bbox');
  // same weights, same images, deterministic single-thread kernels: the same numbers
  assert.ok(Math.abs(coco.stats[0] - recorded.mAP) < 1e-9, `mAP ${coco.stats[0]} vs recorded ${recorded.mAP}`);
  assert.ok(Math.abs(coco.stats[1] - recorded.mAP50) < 1e-9, `mAP@0.5 ${coco.stats[1]} vs recorded ${recorded.mAP50}`);
  assert.ok(coco.stats[1] > 0.5, 'a trained detector, far above chance');
});
