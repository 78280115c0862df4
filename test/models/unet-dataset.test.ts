import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holdOutGroups, sunnybrookSamples, type SegSample } from '../../src/models/unet/dataset.js';
import { mulberry32 } from '../../src/util/random.js';

test('holdOutGroups on the embedded Sunnybrook slices holds out whole patients (0.2 of 5 = 1), never a slice of a training patient; seeded', () => {
  const samples = sunnybrookSamples();
  const patients = new Set(samples.map((s) => s.group));
  assert.equal(patients.size, 5);
  const chosen = new Set<string>();
  for (let seed = 0; seed < 12; seed++) {
    const { trainIndices, valIndices, valGroups } = holdOutGroups(samples, 0.2, mulberry32(seed));
    assert.equal(valGroups.length, 1);
    chosen.add(valGroups[0]);
    const valPatients = new Set(valIndices.map((i) => samples[i].group));
    const trainPatients = new Set(trainIndices.map((i) => samples[i].group));
    assert.deepEqual([...valPatients], valGroups, 'validation slices all belong to the held-out patient');
    assert.ok(!trainPatients.has(valGroups[0]), 'no slice of the held-out patient is trained on');
    assert.equal(valIndices.length, samples.filter((s) => s.group === valGroups[0]).length, 'every slice of the held-out patient');
    assert.deepEqual([...trainIndices, ...valIndices].sort((a, b) => a - b), samples.map((_, i) => i));
    assert.deepEqual(holdOutGroups(samples, 0.2, mulberry32(seed)), { trainIndices, valIndices, valGroups }, 'same seed, same split');
  }
  assert.ok(chosen.size >= 3, `seeds choose different patients (${[...chosen].join(', ')})`);
  assert.equal(holdOutGroups(samples, 0.5, mulberry32(1)).valGroups.length, 3, 'round(0.5 · 5) = 3 patients');
  assert.equal(holdOutGroups(samples, 0.99, mulberry32(1)).valGroups.length, 4, 'at most all patients but one');
  assert.deepEqual(holdOutGroups(samples, 0, mulberry32(1)).valIndices, []);
});

test('holdOutGroups without groups (an image folder) holds out round(fraction · N) single images', () => {
  const samples: SegSample[] = Array.from({ length: 10 }, (_, i) => ({ name: `img${i}`, height: 1, width: 1, image: new Float32Array(1), mask: new Uint8Array(1) }));
  const { trainIndices, valIndices, valGroups } = holdOutGroups(samples, 0.2, mulberry32(3));
  assert.equal(valIndices.length, 2);
  assert.equal(trainIndices.length, 8);
  assert.deepEqual(valGroups, [], 'no patient names to report');
  assert.deepEqual([...trainIndices, ...valIndices].sort((a, b) => a - b), samples.map((_, i) => i));
});
