import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/engine/checkpoint.js';
import { initEngine } from '../../src/engine/setup.js';
import { SHIPPED_DETECTOR_CHAIN, trainShippedDetectors } from '../../src/models/shipped-chain.js';
import { loadDetector, type DetectorKind } from '../../src/models/zoo.js';
import { packageRoot } from '../../src/util/paths.js';

test('the training chain of --retrain is the one the script header documents, command by command', () => {
  const header = readFileSync(join(packageRoot(), 'scripts', 'train-detectors.ts'), 'utf8');
  const commands = header.split('\n').filter((line) => /^ \*\s+node --import tsx scripts\/train-detectors\.ts /.test(line));
  assert.equal(commands.length, SHIPPED_DETECTOR_CHAIN.length);
  const stageOf = (path: string | undefined): string | undefined => path?.replace(/^.*\//, '').replace(/\.ckpt$/, '').replace(/^detector-/, '');
  commands.forEach((line, i) => {
    const arg = (name: string) => line.match(new RegExp(`--${name} (\\S+)`))?.[1];
    const stage = SHIPPED_DETECTOR_CHAIN[i];
    assert.equal(arg('model'), stage.kind, line);
    assert.equal(Number(arg('steps')), stage.steps, line);
    assert.equal(Number(arg('lr') ?? '1e-3'), stage.learningRate, line);
    assert.equal(stageOf(arg('init')), stage.init, line);
    const options = arg('options');
    assert.deepEqual(options ? JSON.parse(options.replace(/^'|'$/g, '')) : undefined, stage.modelOptions, line);
    const out = stageOf(arg('out'));
    if (out !== undefined) assert.equal(out, stage.name, line);
  });
});

test('--retrain --quick: every stage of the chain runs and each shipped detector comes out loadable, with its backbone', async () => {
  await initEngine();
  const dir = mkdtempSync(join(tmpdir(), 'detseg-chain-'));
  const trained = trainShippedDetectors(dir, { quick: true, quickSteps: 1 });
  assert.deepEqual(Object.keys(trained).sort(), ['fast-rcnn', 'faster-rcnn', 'faster-rcnn-small', 'mask-rcnn', 'rcnn']);
  // backbone parameters by hand: per conv 9·Cin·Cout + 4·Cout (batch norm), two convs per stage
  const backboneParameters = (widths: number[]) => {
    let total = 0, c = 3;
    for (const w of widths) for (let k = 0; k < 2; k++) (total += 9 * c * w + 4 * w), (c = w);
    return total;
  };
  const expected: Record<string, number> = { 'faster-rcnn': backboneParameters([32, 64, 128]), 'mask-rcnn': backboneParameters([32, 64, 128]), 'faster-rcnn-small': backboneParameters([16, 32, 64]), 'fast-rcnn': backboneParameters([16, 32, 64]), rcnn: backboneParameters([16, 32, 64]) };
  for (const [which, path] of Object.entries(trained)) {
    const kind = (which === 'faster-rcnn-small' ? 'faster-rcnn' : which) as DetectorKind;
    const detector = loadDetector(kind, path);
    assert.equal(detector.kind, kind);
    const meta = detector.meta as { metrics: { steps: number } };
    assert.equal(meta.metrics.steps, 1, which);
    detector.dispose();
    const backboneSize = loadCheckpoint(path).model.filter((t) => t.name.startsWith('backbone_')).reduce((sum, t) => sum + t.values.length, 0);
    assert.equal(backboneSize, expected[which], `${which}: backbone weights`);
  }
  assert.equal(backboneParameters([16, 32, 64]), 72752);
});
