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

test('the fallback: after registerThreadedWasm, its restore function brings back the upstream 1-thread backend', () => {
  const threads = join(packageRoot(), 'src', 'engine', 'threads.ts');
  const kernels = join(packageRoot(), 'src', 'engine', 'kernels.ts');
  const setup = join(packageRoot(), 'src', 'engine', 'setup.ts');
  const program = `
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { registerThreadedWasm } = await import(${JSON.stringify(threads)});
    const { registerWasmGradientKernels } = await import(${JSON.stringify(kernels)});
    const { wasmBinaryDir } = await import(${JSON.stringify(setup)});
    wasm.setWasmPaths(wasmBinaryDir());
    const restore = registerThreadedWasm(2);
    restore();
    const ok = await tf.setBackend('wasm');
    registerWasmGradientKernels();
    const g = tf.grad((f) => tf.conv2d(tf.ones([1, 5, 5, 2]), f, 1, 'same').sum())(tf.ones([3, 3, 2, 1]));
    process.stdout.write(JSON.stringify({ ok, threads: wasm.getThreadsCount(), g: Array.from(g.dataSync()) }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.ok, true);
  assert.equal(out.threads, 1);
  // ∂/∂f[a,b,c] Σ conv(ones 5×5, f) = the number of output pixels whose window puts tap (a,b) inside the image:
  // rows covered by tap row a: 4 for a ∈ {0, 2}, 5 for a = 1; likewise columns.
  const expected = [];
  for (const a of [4, 5, 4]) for (const b of [4, 5, 4]) expected.push(a * b, a * b);
  assert.deepEqual(out.g, expected);
});
