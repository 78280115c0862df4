import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { fasterRcnnParts } from '../../../src/models/faster-rcnn/faster-rcnn.js';
import { RoiBuffers } from '../../../src/roi/buffers.js';
import { randomMapAndBoxes } from './pool-arrays.js';

for (const pooler of ['align', 'pool'] as const) {
  test(`RoiHeads.poolArrays (${pooler}) into reused buffers equals the differentiable tf op of the training path, image after image`, async () => {
    await initEngine();
    const { roiHeads, backbone } = fasterRcnnParts({ backbone: { widths: [8, 16, 24] }, representationSize: 16 }, false, pooler);
    const buffers = new RoiBuffers();
    // A larger call first, then a smaller one on the same slot: the reused buffer must not leak old values.
    for (const [seed, counts] of [[1, [40, 25]], [2, [7]], [3, [0, 30]]] as Array<[number, number[]]>) {
      const shape: [number, number, number, number] = [counts.length, 8, 8, 24];
      const { features, boxes } = randomMapAndBoxes(seed, shape, 64, counts);
      const got = roiHeads.poolArrays(features, shape, boxes, buffers);
      const fresh = roiHeads.poolArrays(features, shape, boxes);
      const map = tf.tensor4d(features, shape);
      const reference = roiHeads.pool(map, boxes).dataSync();
      map.dispose();
      assert.equal(got.length, counts.reduce((a, b) => a + b, 0) * 7 * 7 * 24);
      assert.deepEqual(got, fresh);
      assert.deepEqual(Array.from(got), Array.from(reference));
    }
    roiHeads.boxHead.dispose();
    backbone.model.dispose();
  });
}
