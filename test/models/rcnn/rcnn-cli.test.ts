import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDetectorMeta } from '../../../src/models/detection/checkpoint.js';
import { runCli } from '../../helpers/cli.js';

test('detseg train rcnn --warp: the warp size reaches the model and its checkpoint; a warp off the stride is a one-line error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-rcnn-cli-'));
  try {
    const bad = runCli(['train', 'rcnn', '--warp', '12', '--out', join(dir, 'x.ckpt')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--warp: must be a multiple of the backbone stride 8, got 12/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const out = join(dir, 'r.ckpt');
    const ok = runCli(['train', 'rcnn', '--warp', '16', '--steps', '1', '--train-images', '2', '--val', '1', '--out', out, '--project', join(dir, 'runs')]);
    assert.equal(ok.code, 0, ok.stderr);
    const meta = readDetectorMeta(out, 'detseg-rcnn');
    assert.equal((meta.options as { warpSize: number }).warpSize, 16);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('detseg bench rcnn-family --ss-mode: an unknown mode is a one-line error naming the option', () => {
  const r = runCli(['bench', 'rcnn-family', '--ss-mode', 'slow']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--ss-mode: must be fast or quality, got 'slow'/);
});
