import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProposalGenerator } from '../../src/anchors/proposals.js';
import { AnchorGenerator } from '../../src/anchors/generator.js';
import { BoxCoder } from '../../src/boxes/coder.js';
import { mulberry32, gaussian } from '../../src/util/random.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { naiveNms } from '../nms/reference.js';

test('proposals, hand-worked: zero deltas, one anchor clipped, one too small, one suppressed', () => {
  const anchors = new Float32Array([
    0, 0, 10, 10, // logit 2
    1, 0, 11, 10, // logit 1: IoU 9/11 with the first → suppressed at 0.7
    90, 90, 110, 110, // logit 0: clipped to (90, 90, 100, 100)
    50, 50, 50.0005, 60, // logit 3: width 5e-4 < 1e-3 → removed
  ]);
  const gen = new ProposalGenerator();
  const out = gen.generate({ anchors, objectness: [2, 1, 0, 3], deltas: new Float32Array(16), imageWidth: 100, imageHeight: 100 });
  assert.deepEqual(Array.from(out.boxes), [0, 0, 10, 10, 90, 90, 100, 100]);
  assert.deepEqual(Array.from(out.anchorIndices), [0, 2]);
  assert.ok(Math.abs(out.scores[0] - 1 / (1 + Math.exp(-2))) < 1e-7 && Math.abs(out.scores[1] - 0.5) < 1e-7);
  // preNmsTopN 1 keeps only the best anchor (the small one), which is then removed
  assert.equal(new ProposalGenerator({ preNmsTopN: 1 }).generate({ anchors, objectness: [2, 1, 0, 3], deltas: new Float32Array(16), imageWidth: 100, imageHeight: 100 }).boxes.length, 0);
});

test('proposals equal the steps done naively, on random RPN outputs over two levels of anchors', () => {
  const gen = new AnchorGenerator({ sizes: [[32, 64], [128]], aspectRatios: [[0.5, 1, 2]] });
  const anchors = gen.generate(256, 320, [[16, 20], [8, 10]]);
  const n = anchors.length / 4;
  const levels = new Int32Array(n).fill(1, 16 * 20 * 6);
  const random = mulberry32(5);
  const objectness = Float32Array.from({ length: n }, () => gaussian(random) * 2);
  const deltas = Float32Array.from({ length: 4 * n }, () => gaussian(random) * 0.2);
  const options = { preNmsTopN: 300, postNmsTopN: 150, nmsThreshold: 0.6, minSize: 4, scoreThreshold: 0.2 };
  const out = new ProposalGenerator(options).generate({ anchors, objectness, deltas, imageWidth: 320, imageHeight: 256, levels });

  // naive: rank each level separately, decode one box at a time, clip, filter, NMS per level, cut
  const coder = new BoxCoder();
  const candidates: { box: number[]; score: number; level: number; anchor: number }[] = [];
  for (const level of [0, 1]) {
    const idx = Array.from({ length: n }, (_, i) => i).filter((i) => levels[i] === level);
    idx.sort((a, b) => objectness[b] - objectness[a] || a - b);
    for (const i of idx.slice(0, options.preNmsTopN)) {
      const d = coder.decode(deltas.subarray(4 * i, 4 * i + 4), anchors.subarray(4 * i, 4 * i + 4));
      const box = [Math.min(Math.max(d[0], 0), 320), Math.min(Math.max(d[1], 0), 256), Math.min(Math.max(d[2], 0), 320), Math.min(Math.max(d[3], 0), 256)].map(Math.fround);
      const score = 1 / (1 + Math.exp(-objectness[i]));
      if (box[2] - box[0] >= 4 && box[3] - box[1] >= 4 && score >= 0.2) candidates.push({ box, score: Math.fround(score), level, anchor: i });
    }
  }
  candidates.sort((a, b) => a.anchor - b.anchor);
  const kept = naiveNms(candidates.flatMap((c) => c.box), candidates.map((c) => c.score), 0.6, candidates.map((c) => c.level)).slice(0, 150);
  assert.ok(kept.length > 50, `a meaningful test keeps many proposals (${kept.length})`);
  assert.deepEqual(Array.from(out.anchorIndices), kept.map((c) => candidates[c].anchor));
  assert.deepEqual(Array.from(out.boxes), kept.flatMap((c) => candidates[c].box));
  for (let k = 1; k < out.scores.length; k++) assert.ok(out.scores[k] <= out.scores[k - 1]);
});

test('ProposalGenerator: no anchors, bad input', () => {
  const empty = new ProposalGenerator().generate({ anchors: new Float32Array(0), objectness: [], deltas: [], imageWidth: 10, imageHeight: 10 });
  assert.equal(empty.boxes.length, 0);
  const anchors = new Float32Array([0, 0, 4, 4]);
  const bad = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e) => e instanceof DetsegInputError && re.test(e.message));
  bad(() => new ProposalGenerator().generate({ anchors, objectness: [NaN], deltas: [0, 0, 0, 0], imageWidth: 10, imageHeight: 10 }), /objectness: value 0 is not finite/);
  bad(() => new ProposalGenerator().generate({ anchors, objectness: [1], deltas: [0, 0, 0], imageWidth: 10, imageHeight: 10 }), /deltas: has 3 values/);
  bad(() => new ProposalGenerator().generate({ anchors, objectness: [1], deltas: [0, 0, Infinity, 0], imageWidth: 10, imageHeight: 10 }), /deltas: value 2 \(anchor 0\) is not finite/);
  bad(() => new ProposalGenerator().generate({ anchors, objectness: [1, 2], deltas: [0, 0, 0, 0], imageWidth: 10, imageHeight: 10 }), /objectness: has 2 values for 1 anchors/);
  bad(() => new ProposalGenerator({ nmsThreshold: 7 }), /nmsThreshold/);
  bad(() => new ProposalGenerator({ preNmsTopN: -1 }), /preNmsTopN/);
});
