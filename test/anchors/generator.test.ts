import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnchorGenerator } from '../../src/anchors/generator.js';
import { DetsegInputError } from '../../src/util/errors.js';

test('base anchors of size 32, ratios (0.5, 1, 2): hand-worked and rounded as torchvision', () => {
  // ratio 0.5: w = 32·√2 = 45.25, h = 32/√2 = 22.63 → half-extents 22.63, 11.31 → rounded 23, 11
  assert.deepEqual(Array.from(new AnchorGenerator({ sizes: [[32]] }).baseAnchors()), [-23, -11, 23, 11, -16, -16, 16, 16, -11, -23, 11, 23]);
  // half-way values round to even, as torch.round: size 3 → ±1.5 → ±2; size 5 → ±2.5 → ±2
  assert.deepEqual(Array.from(new AnchorGenerator({ sizes: [[3, 5]], aspectRatios: [[1]] }).baseAnchors()), [-2, -2, 2, 2, -2, -2, 2, 2]);
  const unrounded = new AnchorGenerator({ sizes: [[32]], aspectRatios: [[0.5]], round: false }).baseAnchors();
  assert.ok(Math.abs(unrounded[2] - 16 * Math.SQRT2) < 1e-5 && Math.abs(unrounded[3] - 8 * Math.SQRT2) < 1e-5);
});

test('grid anchors, hand-worked in the setting of torchvision’s anchor test (size 10, ratio 1, 15×15 image, 2×2 map → stride ⌊15/2⌋ = 7)', () => {
  const anchors = new AnchorGenerator({ sizes: [[10]], aspectRatios: [[1]] }).generate(15, 15, [[2, 2]]);
  assert.deepEqual(Array.from(anchors), [-5, -5, 5, 5, 2, -5, 12, 5, -5, 2, 5, 12, 2, 2, 12, 12]);
});

test('grid anchors equal a naive loop over cells, ratios and sizes (two levels, offset 0 and 0.5)', () => {
  const sizes = [[16, 24], [64]], ratios = [[0.5, 1, 2], [1, 3]];
  for (const offset of [0, 0.5]) {
    const gen = new AnchorGenerator({ sizes, aspectRatios: ratios, offset, round: false });
    const got = gen.generate(64, 96, [[4, 6], [2, 3]]);
    const expected: number[] = [];
    for (const [l, [gh, gw]] of ([[0, [4, 6]], [1, [2, 3]]] as const)) {
      const stride = [64 / gh, 96 / gw];
      for (let row = 0; row < gh; row++) for (let col = 0; col < gw; col++) for (const r of ratios[l]) for (const s of sizes[l]) {
        const cx = (col + offset) * stride[1], cy = (row + offset) * stride[0];
        const w = s / Math.sqrt(r), h = s * Math.sqrt(r);
        expected.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
      }
    }
    assert.equal(got.length, expected.length);
    for (let k = 0; k < got.length; k++) assert.ok(Math.abs(got[k] - expected[k]) < 1e-4, `offset ${offset} coordinate ${k}`);
    assert.deepEqual(gen.anchorsPerLocation(), [6, 2]);
  }
});

test('anchor area stays s² and h/w equals the ratio', () => {
  const base = new AnchorGenerator({ sizes: [[40, 100]], aspectRatios: [[0.25, 1, 4]], round: false }).baseAnchors();
  const expected = [[40, 0.25], [100, 0.25], [40, 1], [100, 1], [40, 4], [100, 4]];
  expected.forEach(([s, r], a) => {
    const w = base[4 * a + 2] - base[4 * a], h = base[4 * a + 3] - base[4 * a + 1];
    assert.ok(Math.abs(w * h - s * s) < 1e-2 && Math.abs(h / w - r) < 1e-5);
  });
});

test('AnchorGenerator: empty feature map, bad options', () => {
  assert.equal(new AnchorGenerator().gridAnchors(0, { gridHeight: 0, gridWidth: 5, strideY: 16, strideX: 16 }).length, 0);
  const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e) => e instanceof DetsegInputError && re.test(e.message));
  bad(() => new AnchorGenerator({ sizes: [[32, -1]] }), /sizes\[0\]\[1\]/);
  bad(() => new AnchorGenerator({ sizes: [[32]], aspectRatios: [[0]] }), /aspectRatios\[0\]\[0\]/);
  bad(() => new AnchorGenerator({ sizes: [[32], [64]], aspectRatios: [[1], [1], [1]] }), /aspectRatios: has 3 levels/);
  bad(() => new AnchorGenerator().generate(100, 100, [[4, 4], [2, 2]]), /featureSizes: has 2 levels/);
  bad(() => new AnchorGenerator().gridAnchors(0, { gridHeight: 2, gridWidth: 2, strideY: 0, strideX: 16 }), /strideY/);
  bad(() => new AnchorGenerator().baseAnchors(3), /level/);
});
