import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLineage, type EpochRow } from '../../src/pipeline/train.js';

const row = (epoch: number, mAP: number): EpochRow => ({ epoch, losses: { loss: 1 }, mAP, mAP50: mAP + 0.2, lr: 1e-4, seconds: 10, imagesPerSecond: 5 });

test('runLineage: a checkpoint of the same family adds its own run after its lineage; another family\'s weights or a file without history start none', () => {
  const first = { kind: 'detr', args: { trainImages: 100 }, history: [row(1, 0.1), row(2, 0.2)] };
  assert.deepEqual(runLineage(first, 'detr'), [{ args: { trainImages: 100 }, history: first.history }]);
  const second = { kind: 'detr', args: { trainImages: 50 }, history: [row(1, 0.3)], lineage: runLineage(first, 'detr') };
  assert.deepEqual(runLineage(second, 'detr').map((r) => r.args?.trainImages), [100, 50], 'oldest first');
  assert.deepEqual(runLineage(second, 'detr')[1].history, second.history);
  assert.deepEqual(runLineage({ ...first, kind: 'ssd' }, 'detr'), [], 'an SSD backbone is not a DETR run');
  assert.deepEqual(runLineage({ kind: 'detr', args: {} }, 'detr'), [], 'no history');
  assert.deepEqual(runLineage(undefined, 'detr'), []);
});
