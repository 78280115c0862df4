import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../src/engine/setup.js';
import { MaskRCNN } from '../../../src/models/mask-rcnn/mask-rcnn.js';
import { roiAlign } from '../../../src/roi/align.js';
import { toRois } from '../../../src/models/detection/roi-heads.js';
import { RoiBuffers } from '../../../src/roi/buffers.js';
import { randomMapAndBoxes } from './pool-arrays.js';

test('MaskBranch.poolArrays: RoI Align of each map, channels concatenated (a naive loop over the per-map outputs, and the tf path), into reused buffers', async () => {
  await initEngine();
  const model = new MaskRCNN({ backbone: { widths: [8, 16, 24] }, representationSize: 16, maskHeadWidth: 8, maskFeatureStages: [0, 1] });
  const mask = model.mask;
  const buffers = new RoiBuffers();
  const p = mask.poolSize;
  for (const [seed, counts] of [[1, [12, 5]], [2, [3]]] as Array<[number, number[]]>) {
    const b = counts.length;
    const coarse = randomMapAndBoxes(seed, [b, 8, 8, 24], 64, counts);
    const shapes: Array<[number, number, number, number]> = [[b, 32, 32, 8], [b, 16, 16, 16]];
    const fine = shapes.map((shape, i) => ({ data: randomMapAndBoxes(10 * seed + i, shape, 64, []).features, shape }));
    const got = mask.poolArrays({ data: coarse.features, shape: [b, 8, 8, 24] }, fine, coarse.boxes, buffers);
    // Naive: each map pooled alone (strides 8, 2, 4), then element by element into [K, p, p, 24 + 8 + 16].
    const rois = toRois(coarse.boxes);
    const k = rois.length / 5;
    const maps = [{ data: coarse.features, shape: [b, 8, 8, 24], stride: 8 }, { ...fine[0], stride: 2 }, { ...fine[1], stride: 4 }];
    const pooled = maps.map((m) => roiAlign(m.data, m.shape, rois, { outHeight: p, outWidth: p, spatialScale: 1 / m.stride, samplingRatio: 2, aligned: true }));
    const expected: number[] = [];
    for (let q = 0; q < k * p * p; q++) maps.forEach((m, i) => { for (let c = 0; c < m.shape[3]; c++) expected.push(pooled[i][q * m.shape[3] + c]); });
    assert.deepEqual(Array.from(got), expected);
    const tensors = [tf.tensor4d(coarse.features, [b, 8, 8, 24]), ...fine.map((f) => tf.tensor4d(f.data, f.shape))];
    const viaTf = mask.pool(tensors[0], tensors.slice(1), coarse.boxes);
    assert.deepEqual(Array.from(viaTf.dataSync()), expected);
    tf.dispose([...tensors, viaTf]);
  }
  model.dispose();
});
