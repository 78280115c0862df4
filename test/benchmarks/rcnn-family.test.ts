import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/setup.js';
import { saveDetectorCheckpoint } from '../../src/models/detection/checkpoint.js';
import { buildBackbone } from '../../src/models/backbone/backbone.js';
import { backboneSignature, benchRcnnFamily, formatRcnnFamily, recordedScores } from '../../src/benchmarks/rcnn-family.js';
import { selectiveSearchProposals } from '../../src/models/detection/selective-search-proposals.js';
import { syntheticDetectionSet } from '../../src/models/detection/synthetic-data.js';
import { FastRCNN } from '../../src/models/fast-rcnn/fast-rcnn.js';
import { FasterRCNN } from '../../src/models/faster-rcnn/faster-rcnn.js';
import { RCNN } from '../../src/models/rcnn/rcnn.js';

test('rcnn-family benchmark: three rows on the same images; proposal counts are selective search’s and the RPN’s; times add up', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-bench-'));
  try {
    const backbone = { widths: [8, 16, 32] };
    const rpn = { postNmsTopNTest: 40 };
    const faster = new FasterRCNN({ seed: 1, backbone, rpn, representationSize: 16 });
    const fast = new FastRCNN({ seed: 1, backbone, representationSize: 16 });
    const rcnn = new RCNN({ seed: 1, warpSize: 32, backbone, representationSize: 16 });
    const paths = { rcnn: join(dir, 'r.ckpt'), 'fast-rcnn': join(dir, 'f.ckpt'), 'faster-rcnn': join(dir, 'ff.ckpt') };
    saveDetectorCheckpoint(paths['faster-rcnn'], faster.models(), { format: 'detseg-faster-rcnn', options: { seed: 1, backbone, rpn, representationSize: 16 } });
    saveDetectorCheckpoint(paths['fast-rcnn'], fast.models(), { format: 'detseg-fast-rcnn', options: { seed: 1, backbone, representationSize: 16 } });
    saveDetectorCheckpoint(paths.rcnn, rcnn.models(), { format: 'detseg-rcnn', options: { seed: 1, warpSize: 32, backbone, representationSize: 16 } });
    for (const m of [faster, fast, rcnn]) m.dispose();
    const report = benchRcnnFamily({ images: 2, seed: 5, checkpoints: paths, proposalMode: 'fast' });
    assert.deepEqual(report.rows.map((r) => r.method), ['R-CNN', 'Fast R-CNN', 'Faster R-CNN']);
    assert.equal(report.proposalMode, 'fast');
    assert.equal(report.rcnnWarpSize, 32);
    assert.equal(report.rows[0].proposer, 'selective search (fast)');
    const samples = syntheticDetectionSet(5, 2, { size: 128 });
    const ssCount = samples.reduce((s, d) => s + selectiveSearchProposals(d.sample.image, 128, 128, { mode: 'fast' }).length / 4, 0) / 2;
    assert.equal(report.rows[0].proposalsPerImage, ssCount);
    assert.equal(report.rows[1].proposalsPerImage, ssCount);
    assert.ok(report.rows[2].proposalsPerImage > 0 && report.rows[2].proposalsPerImage <= 40);
    for (const r of report.rows) {
      assert.ok(r.proposalSeconds > 0 && r.networkSeconds > 0);
      // with two images the median of the sums is the mean of the sums = sum of the two means (medians)
      assert.ok(Math.abs(r.totalSeconds - (r.proposalSeconds + r.networkSeconds)) < 1e-9);
      assert.ok(r.mAP >= 0 && r.mAP <= 1 && r.mAP50 >= r.mAP);
    }
    assert.equal(report.sameBackboneArchitecture, true);
    const expectedParameters = buildBackbone(backbone).model.countParams();
    for (const r of report.rows) assert.equal(r.backboneParameters, expectedParameters);
    const [r, f, ff] = report.rows;
    assert.equal(report.ratios.rcnnOverFastNetwork, r.networkSeconds / f.networkSeconds);
    assert.equal(report.ratios.rcnnOverFastTotal, r.totalSeconds / f.totalSeconds);
    assert.equal(report.ratios.fastOverFasterTotal, f.totalSeconds / ff.totalSeconds);
    const text = formatRcnnFamily(report);
    assert.match(text, /Faster R-CNN\s+RPN/);
    assert.ok(text.includes(`network only (same proposals, left out; Girshick 2015 Table 4: 146.9×): ${report.ratios.rcnnOverFastNetwork.toFixed(1)}×`), text);
    assert.ok(text.includes(`(Ren et al. 2015 Table 5: 9.2×): ${report.ratios.fastOverFasterTotal.toFixed(1)}×`), text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backboneSignature: equal for two backbones of the same widths and depth, different when a width or the depth differs', async () => {
  await initEngine();
  const a = buildBackbone({ widths: [8, 16], seed: 1 }), b = buildBackbone({ widths: [8, 16], seed: 2 });
  const wider = buildBackbone({ widths: [8, 32] }), deeper = buildBackbone({ widths: [8, 16], extraConvsPerStage: 2 });
  assert.equal(backboneSignature(a.model), backboneSignature(b.model));
  assert.notEqual(backboneSignature(a.model), backboneSignature(wider.model));
  assert.notEqual(backboneSignature(a.model), backboneSignature(deeper.model));
  // trainable weights in layer order (conv 3×3×3×8, BN γ β, conv 3×3×8×8, BN γ β, …), then the BN moving statistics
  assert.equal(backboneSignature(a.model), '3x3x3x8,8,8,3x3x8x8,8,8,3x3x8x16,16,16,3x3x16x16,16,16,8,8,8,8,16,16,16,16');
  for (const m of [a, b, wider, deeper]) m.model.dispose();
});

test('recordedScores: the held-out mAP, mAP@0.5 and image count of a checkpoint meta, null when a field is missing', () => {
  assert.deepEqual(recordedScores({ metrics: { mAP: 0.5, mAP50: 0.7, valImages: 200, perClass: [] } }), { mAP: 0.5, mAP50: 0.7, images: 200 });
  assert.equal(recordedScores({ metrics: { mAP: 0.5, mAP50: 0.7 } }), null);
  assert.equal(recordedScores({}), null);
});
