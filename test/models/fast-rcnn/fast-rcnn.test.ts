import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine } from '../../../src/engine/setup.js';
import { selectiveSearchProposals } from '../../../src/models/detection/selective-search-proposals.js';
import { syntheticDetectionSet } from '../../../src/models/detection/synthetic-data.js';
import { FastRCNN } from '../../../src/models/fast-rcnn/fast-rcnn.js';
import { assertOverfitsOnProposals } from '../detection/overfit-helpers.js';

test('Fast R-CNN overfits one image on its selective-search proposals: losses drop, every object found with its class', async () => {
  await initEngine();
  const [d] = syntheticDetectionSet(14, 1, { size: 64, minObjects: 2, maxObjects: 2, smallFraction: 0 });
  const proposals = [selectiveSearchProposals(d.sample.image, 64, 64, { mode: 'fast' })];
  assert.ok(proposals[0].length >= 4 * 10, 'selective search gives proposals');
  const model = new FastRCNN({ seed: 4, backbone: { widths: [8, 16, 32] }, representationSize: 64, roiHeads: { batchSizePerImage: 64 } });
  assertOverfitsOnProposals(model, d, proposals, 80);
});
