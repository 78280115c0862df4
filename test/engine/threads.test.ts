import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/util/paths.js';

/**
 * Runs a small program in a fresh Node process (the engine starts once per process) with
 * `DETSEG_THREADS=<threads>`: it prints the engine info and a conv + gradient result.
 */
function runWithThreads(threads: number): { info: { threads: number; threadsRequested: number; threadNote?: string }; values: number[] } {
  const setup = join(packageRoot(), 'src', 'engine', 'setup.ts');
  const program = `
    const { initEngine, tf } = await import(${JSON.stringify(setup)});
    const info = await initEngine();
    const x = tf.tensor4d(Array.from({ length: 2 * 16 * 16 * 8 }, (_, i) => Math.sin(i)), [2, 16, 16, 8]);
    const w = tf.tensor4d(Array.from({ length: 3 * 3 * 8 * 16 }, (_, i) => Math.cos(i) / 10), [3, 3, 8, 16]);
    const g = tf.grad((f) => tf.conv2d(x, f, 1, 'same').square().sum())(w);
    const y = tf.conv2d(x, w, 2, 'same').sum();
    process.stdout.write(JSON.stringify({ info, values: [...g.dataSync().slice(0, 16), y.dataSync()[0]] }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    encoding: 'utf8',
    env: { ...process.env, DETSEG_THREADS: String(threads) },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('DETSEG_THREADS=2 starts the threaded wasm build with 2 threads; results equal the 1-thread build exactly; the process exits', () => {
  const one = runWithThreads(1);
  assert.equal(one.info.threads, 1);
  const two = runWithThreads(2);
  assert.equal(two.info.threadsRequested, 2);
  assert.equal(two.info.threads, 2, two.info.threadNote);
  assert.deepEqual(two.values, one.values);
});
