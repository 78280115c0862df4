import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxIou } from '../../src/boxes/iou.js';
import { SHAPE_CLASSES, syntheticSample } from '../../src/data/synthetic.js';

/** Extent of a row-major mask by a plain scan: [x1, y1, x2 + 1, y2 + 1], or undefined when empty. */
function maskExtent(mask: Uint8Array, w: number, h: number): number[] | undefined {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask[y * w + x]) { x1 = Math.min(x1, x); y1 = Math.min(y1, y); x2 = Math.max(x2, x + 1); y2 = Math.max(y2, y + 1); }
  return Number.isFinite(x1) ? [x1, y1, x2, y2] : undefined;
}

test('synthetic: every box is the extent of its instance mask; masks are disjoint and match the semantic map', () => {
  for (const size of [128, 256]) {
    for (let i = 0; i < 20; i++) {
      const s = syntheticSample(11, i, { size });
      assert.equal(s.image.length, size * size * 3);
      const n = s.labels.length;
      assert.equal(s.masks.length, n);
      s.masks.forEach((m, j) => assert.deepEqual(Array.from(s.boxes.subarray(4 * j, 4 * j + 4)), maskExtent(m, size, size), `image ${i} object ${j}`));
      for (let p = 0; p < size * size; p++) {
        let owner = -1;
        for (let j = 0; j < n; j++) if (s.masks[j][p]) { assert.equal(owner, -1, `pixel ${p} in two masks`); owner = j; }
        assert.equal(s.semantic[p], owner < 0 ? 0 : s.labels[owner] + 1, `image ${i} pixel ${p}`);
      }
    }
  }
});

test('synthetic: determinism — the same seed gives the same bytes, another seed other images', () => {
  const a = syntheticSample(5, 3, { size: 128 });
  const b = syntheticSample(5, 3, { size: 128 });
  assert.deepEqual(a.image, b.image);
  assert.deepEqual(a.boxes, b.boxes);
  assert.deepEqual(a.masks, b.masks);
  assert.deepEqual(a.semantic, b.semantic);
  assert.notDeepEqual(syntheticSample(6, 3, { size: 128 }).image, a.image);
  assert.notDeepEqual(syntheticSample(5, 4, { size: 128 }).image, a.image);
});

test('synthetic: statistics over 100 images (1..8 objects, every class, small and large, occlusion)', () => {
  const perClass = new Int32Array(SHAPE_CLASSES.length);
  let small = 0, large = 0, overlapping = 0, total = 0;
  for (let i = 0; i < 100; i++) {
    const s = syntheticSample(2024, i, { size: 256 });
    const n = s.labels.length;
    assert.ok(n >= 1 && n <= 8, `image ${i} has ${n} objects`);
    total += n;
    for (let j = 0; j < n; j++) {
      perClass[s.labels[j]]++;
      const area = (s.boxes[4 * j + 2] - s.boxes[4 * j]) * (s.boxes[4 * j + 3] - s.boxes[4 * j + 1]);
      if (area < 32 * 32) small++;
      if (area > 96 * 96) large++;
    }
    const iou = boxIou(s.boxes, s.boxes);
    for (let j = 0; j < n; j++) for (let k = j + 1; k < n; k++) if (iou[j * n + k] > 0.1) overlapping++;
  }
  for (let c = 0; c < SHAPE_CLASSES.length; c++) assert.ok(perClass[c] >= 0.2 * total, `${SHAPE_CLASSES[c]}: ${perClass[c]} of ${total}`);
  assert.ok(small >= 0.15 * total, `small ${small} of ${total}`);
  assert.ok(large >= 0.15 * total, `large ${large} of ${total}`);
  assert.ok(overlapping >= 10, `overlapping pairs ${overlapping}`);
});

test('synthetic: a lone shape has the area ratio of its class (circle π/4 of its box, triangle ≤ 1/2)', () => {
  let circles = 0, triangles = 0;
  for (let i = 0; i < 60; i++) {
    const s = syntheticSample(9, i, { size: 128, minObjects: 1, maxObjects: 1 });
    const b = s.boxes;
    const w = b[2] - b[0], h = b[3] - b[1];
    if (w < 12) continue; // too few pixels for a ratio
    const ratio = s.masks[0].reduce((a, v) => a + v, 0) / (w * h);
    if (s.labels[0] === 0) { circles++; assert.ok(Math.abs(ratio - Math.PI / 4) < 0.06, `circle ratio ${ratio}`); assert.ok(Math.abs(w - h) <= 1); }
    if (s.labels[0] === 2) { triangles++; assert.ok(ratio <= 0.56, `triangle ratio ${ratio}`); }
    if (s.labels[0] === 1) assert.ok(ratio >= 0.47, `square ratio ${ratio}`);
  }
  assert.ok(circles > 3 && triangles > 3);
});

test('synthetic: nearly hidden shapes are removed (each kept instance keeps ≥ 16 visible pixels)', () => {
  let removed = 0;
  for (let i = 0; i < 50; i++) {
    const s = syntheticSample(77, i, { size: 128, minObjects: 8, maxObjects: 8 });
    removed += 8 - s.labels.length;
    s.masks.forEach((m) => assert.ok(m.reduce((a, v) => a + v, 0) >= 16));
  }
  assert.ok(removed > 0, 'eight shapes on 128×128 should hide some');
});
