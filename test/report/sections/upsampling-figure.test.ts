import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upsamplingExamples, upsamplingFigure } from '../../../src/report/sections/upsampling-figure.js';

test('the up-sampling figure shows the hand-worked unpoolings and the lecture\'s transposed convolution 2×2 → 3×3', async () => {
  const e = await upsamplingExamples();
  assert.deepEqual(e.nearest, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  assert.deepEqual(e.bedOfNails, [1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
  assert.deepEqual(e.switches, [5, 2, 12, 15]); // maxima 5, 6, 7, 8 of the pool input
  assert.deepEqual(e.maxUnpooled, [0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0, 0, 4]);
  // [[0,1],[2,3]] scattering the kernel [[0,1],[2,3]]: worked by hand in docs/segmentation.md
  assert.deepEqual(e.transposed, [0, 0, 1, 0, 4, 6, 4, 12, 9]);
  const svg = upsamplingFigure(e);
  assert.ok(svg.startsWith('<svg'));
  for (const label of ['nearest neighbour', 'bed of nails', 'max-pool input', 'max-unpooling', 'output 3×3']) assert.ok(svg.includes(label), label);
  assert.ok(svg.includes('>12</text>'), 'the transposed convolution\'s 12 is drawn');
});
