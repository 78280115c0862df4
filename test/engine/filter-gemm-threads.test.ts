import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { withSharedMemoryImport } from '../../src/engine/heap-module.js';
import { filterGemmModuleBytes, TILE_CI, TILE_CO, type FilterGemmKernels, type ListKernel } from '../../src/engine/filter-gemm.js';
import { GemmThreads } from '../../src/engine/filter-gemm-threads.js';
import { filterGradientRecords, jobsFor, maxRecords } from '../../src/engine/filter-gradient.js';
import { randomNormal } from './backends.js';

/** x, dy, dW and the record list laid out in a shared memory, for one convolution. */
function layout(info: tf.backend_util.Conv2DInfo, memory: WebAssembly.Memory, seed: number) {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  const xLen = n * h * w * ci;
  const dyLen = n * ho * wo * co;
  const dwLen = fh * fw * ci * co;
  const xAt = 64;
  const dyAt = xAt + 4 * xLen;
  const dwAt = dyAt + 4 * dyLen;
  const listAt = dwAt + 4 * dwLen;
  const x = randomNormal(xLen, seed);
  const dy = randomNormal(dyLen, seed + 1);
  new Float32Array(memory.buffer, xAt, xLen).set(x);
  new Float32Array(memory.buffer, dyAt, dyLen).set(dy);
  const records = filterGradientRecords(info, xAt, dyAt, dwAt, new Int32Array(memory.buffer, listAt, 4 * maxRecords(info)));
  const round = { list: listAt, records, xStep: 4 * info.strideWidth * ci, dyStep: 4 * co, dwCiStride: 4 * co };
  return { x, dy, round, dw: () => new Float32Array(memory.buffer, dwAt, dwLen), jobs: jobsFor(ci, co, 8) };
}

/** dW by the defining sum in double precision: dW[a, b, ci, co] = Σ x[n, i·sh + a − pt, j·sw + b − pl, ci] · dy[n, i, j, co]. */
function naiveFilterGradient(info: tf.backend_util.Conv2DInfo, x: Float32Array, dy: Float32Array): Float64Array {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const out = new Float64Array(fh * fw * ci * co);
  for (let a = 0; a < fh; a++) for (let b = 0; b < fw; b++) for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) {
    let s = 0;
    for (let m = 0; m < n; m++) for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) {
      const r = i * sh + a - info.padInfo.top;
      const q = j * sw + b - info.padInfo.left;
      if (r < 0 || r >= h || q < 0 || q >= w) continue;
      s += x[((m * h + r) * w + q) * ci + c] * dy[((m * ho + i) * wo + j) * co + o];
    }
    out[((a * fw + b) * ci + c) * co + o] = s;
  }
  return out;
}

/** The filter-gradient kernels on a fresh shared memory: the memory, the compiled module and the caller's list kernels. */
function sharedKernels(): { memory: WebAssembly.Memory; module: WebAssembly.Module; lists: ListKernel[] } {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 256, shared: true });
  const module = new WebAssembly.Module(withSharedMemoryImport(filterGemmModuleBytes()));
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as FilterGemmKernels;
  const lists: ListKernel[] = [];
  for (let r = 1; r <= TILE_CI; r++) for (let k = 1; k <= TILE_CO / 4; k++) lists.push(kernels[`list_${r}_${k}`]);
  return { memory, module, lists };
}

test('GemmThreads: on a shared memory a helper thread (alone, or with the caller) gives the filter gradient bit for bit as the caller alone, which equals the naive sum', async () => {
  const { memory, module, lists } = sharedKernels();
  const alone = new GemmThreads(lists, module, memory, 0);
  const pool = new GemmThreads(lists, module, memory, 1);
  for (let waited = 0; pool.readyHelpers() < 1 && waited < 20_000; waited += 10) await sleep(10);
  assert.equal(pool.readyHelpers(), 1, 'the helper started');
  // 3×3 'same' with Ci = 13 (remainder tiles) and Co = 20 (a remainder vector), and a stride-2 'valid' one
  const infos = [
    tf.backend_util.computeConv2DInfo([2, 12, 11, 13], [3, 3, 13, 20], 1, 1, 'same'),
    tf.backend_util.computeConv2DInfo([3, 9, 10, 8], [3, 3, 8, 16], 2, 1, 'valid'),
  ];
  for (const [index, info] of infos.entries()) {
    const { x, dy, round, dw, jobs } = layout(info, memory, 10 * index + 1);
    dw().fill(0);
    alone.run(round, jobs);
    const single = Float32Array.from(dw());
    // the helper alone (the caller only waits), then helper and caller together
    const before = pool.helperJobs();
    dw().fill(0);
    pool.run(round, jobs, false);
    assert.equal(pool.helperJobs() - before, jobs.length, 'the helper ran every job');
    assert.deepEqual(Float32Array.from(dw()), single, 'helper: bit-identical to the caller alone');
    for (let attempt = 0; attempt < 5; attempt++) {
      dw().fill(0);
      pool.run(round, jobs);
      assert.deepEqual(Float32Array.from(dw()), single, `round ${attempt}: bit-identical to the caller alone`);
    }
    const reference = naiveFilterGradient(info, x, dy);
    let maxDiff = 0;
    let maxRef = 0;
    for (let i = 0; i < reference.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(single[i] - reference[i]));
      maxRef = Math.max(maxRef, Math.abs(reference[i]));
    }
    assert.ok(maxDiff <= 1e-5 * maxRef, `relative error ${maxDiff / maxRef}`);
  }
});

test('GemmThreads: when the only helper has stopped, run gives up with an error after the stall time instead of waiting for ever', async () => {
  const { memory, module, lists } = sharedKernels();
  const pool = new GemmThreads(lists, module, memory, 1, 200);
  for (let waited = 0; pool.readyHelpers() < 1 && waited < 20_000; waited += 10) await sleep(10);
  assert.equal(pool.readyHelpers(), 1, 'the helper started');
  await pool.terminate(); // its ready flag stays set, as after a crash
  const { round, jobs } = layout(tf.backend_util.computeConv2DInfo([1, 6, 6, 4], [3, 3, 4, 8], 1, 1, 'same'), memory, 3);
  assert.throws(() => pool.run(round, jobs, false), /no job finished for 200 ms \(0 of \d+ done\): a helper thread has stopped/);
});

test('jobsFor covers every (ci, co) of dW exactly once, with 4 × 8 main tiles and the remainders', () => {
  for (const [ci, co] of [[1, 4], [16, 16], [13, 20], [128, 128], [7, 12], [4, 8]]) {
    const covered = new Uint8Array(ci * co);
    for (const job of jobsFor(ci, co, 8)) {
      const r = (job.kernel >> 1) + 1;
      const k = (job.kernel & 1) + 1;
      const c0 = job.xOff / 4;
      const o0 = job.dyOff / 4;
      assert.equal(job.dwOff, 4 * (c0 * co + o0));
      for (let c = c0; c < c0 + job.ciTiles * r; c++) for (let o = o0; o < o0 + job.coTiles * 4 * k; o++) covered[c * co + o]++;
    }
    assert.ok(covered.every((v) => v === 1), `ci ${ci}, co ${co}`);
  }
});
