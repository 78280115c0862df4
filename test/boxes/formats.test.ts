import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipBoxes, convertBoxes } from '../../src/boxes/formats.js';
import { randomBoxes } from '../../src/boxes/random.js';
import { DetsegInputError } from '../../src/util/errors.js';

test('convertBoxes: hand-worked example in every direction', () => {
  const xyxy = new Float64Array([10, 20, 40, 80]);
  const xywh = new Float64Array([10, 20, 30, 60]);
  const cxcywh = new Float64Array([25, 50, 30, 60]);
  const all = { xyxy, xywh, cxcywh } as const;
  for (const [from, a] of Object.entries(all)) {
    for (const [to, b] of Object.entries(all)) {
      assert.deepEqual(Array.from(convertBoxes(a, from as 'xyxy', to as 'xyxy')), Array.from(b), `${from} → ${to}`);
    }
  }
});

test('convertBoxes: round trips on random boxes, naive per-coordinate reference, type preserved', () => {
  const boxes = new Float64Array(randomBoxes(500, 11));
  const xywh = convertBoxes(boxes, 'xyxy', 'xywh');
  const cxcywh = convertBoxes(boxes, 'xyxy', 'cxcywh');
  assert.ok(xywh instanceof Float64Array);
  for (let i = 0; i < 500; i++) {
    const [x1, y1, x2, y2] = boxes.subarray(4 * i, 4 * i + 4);
    assert.deepEqual(Array.from(xywh.subarray(4 * i, 4 * i + 4)), [x1, y1, x2 - x1, y2 - y1]);
    assert.deepEqual(Array.from(cxcywh.subarray(4 * i, 4 * i + 4)), [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1]);
  }
  const back1 = convertBoxes(xywh, 'xywh', 'xyxy');
  const back2 = convertBoxes(cxcywh, 'cxcywh', 'xyxy');
  for (let k = 0; k < boxes.length; k++) {
    assert.ok(Math.abs(back1[k] - boxes[k]) < 1e-9);
    assert.ok(Math.abs(back2[k] - boxes[k]) < 1e-9);
  }
  assert.ok(convertBoxes(new Float32Array(4), 'xyxy', 'xywh') instanceof Float32Array);
});

test('convertBoxes: empty input and bad input', () => {
  assert.equal(convertBoxes(new Float32Array(0), 'xywh', 'xyxy').length, 0);
  assert.throws(() => convertBoxes(new Float32Array(5), 'xyxy', 'xywh'), (e) => e instanceof DetsegInputError && /length 5/.test(e.message));
  assert.throws(() => convertBoxes(new Float32Array([0, 0, -1, 2]), 'xywh', 'xyxy'), (e) => e instanceof DetsegInputError && /box 0.*negative/.test(e.message));
  assert.throws(() => convertBoxes(new Float32Array([0, 0, 1, 1, 0, NaN, 1, 1]), 'xyxy', 'xywh'), (e) => e instanceof DetsegInputError && /box 1.*non-finite/.test(e.message));
  assert.throws(() => convertBoxes(new Float32Array(4), 'xyxy', 'yolo' as 'xyxy'), (e) => e instanceof DetsegInputError && /to: unknown box format 'yolo'/.test(e.message));
});

test('clipBoxes: clamps every coordinate to the image, keeps outside boxes as degenerate', () => {
  const boxes = new Float32Array([-5, -5, 20, 20, 90, 40, 130, 70, 200, 10, 300, 20, 10, 10, 20, 20]);
  const clipped = clipBoxes(boxes, 100, 50);
  assert.deepEqual(Array.from(clipped), [0, 0, 20, 20, 90, 40, 100, 50, 100, 10, 100, 20, 10, 10, 20, 20]);
  assert.equal(clipBoxes(new Float32Array(0), 10, 10).length, 0);
  assert.throws(() => clipBoxes(boxes, NaN, 50), (e) => e instanceof DetsegInputError && /width/.test(e.message));
  assert.throws(() => clipBoxes(new Float32Array([5, 0, 1, 1]), 10, 10), DetsegInputError);
});
