import { Worker } from 'node:worker_threads';
import type { ListKernel } from './filter-gemm.js';

/**
 * Runs the jobs of the filter-gradient kernels (`filter-gemm.ts`) on the calling thread and on helper
 * worker threads that share the wasm backend's memory (the threaded wasm build's memory is a
 * `SharedArrayBuffer`). Every thread claims jobs from one counter until none is left, so a helper that
 * gets no CPU time (the other core busy) only means the caller runs more jobs itself; the call returns
 * when every job is done. Each job writes its own channel range of dW, so the result does not depend on
 * which thread ran which job, nor on the number of threads.
 *
 * Control block (Int32 in a `SharedArrayBuffer`): the round's sequence number (helpers sleep on it),
 * the claim counter `round·2^12 + next job` (a helper left from an earlier round cannot claim a job of
 * the next one), the count of finished jobs, the job count, whether each helper is ready, the
 * round's list arguments, and the jobs.
 */

/** One job: `list_r_k` over the whole record list, on one channel range. */
export interface GemmJob {
  /** Index of the list kernel: (r − 1)·2 + (k − 1). */
  kernel: number;
  /** Byte offsets added to the x, dy and dW addresses of every record. */
  xOff: number;
  dyOff: number;
  dwOff: number;
  /** Register tiles of input and output channels. */
  ciTiles: number;
  coTiles: number;
}

/** The arguments shared by all jobs of one call. */
export interface GemmRound {
  /** Byte address of the record list and its record count. */
  list: number;
  records: number;
  /** Byte steps between pixels in x and dy, and between input-channel rows of dW. */
  xStep: number;
  dyStep: number;
  dwCiStride: number;
}

const SEQ = 0;
const CLAIM = 1;
const DONE = 2;
const TOTAL = 3;
const READY = 4;
/** Jobs run by helpers so far (a statistic). */
const HELPER_JOBS = 7;
const ARGS = 8;
/** Most helper threads (their ready flags sit at READY … READY + 2). */
const MAX_HELPERS = 3;
const JOBS = 16;
const JOB_INTS = 8;
/** Most jobs per round (the claim counter keeps 12 bits for the job index). */
export const MAX_JOBS = 64;
const ROUND_SHIFT = 12;

/** The helper's source: a CommonJS script run with `eval` (no flags, no TypeScript). */
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, index } = workerData;
const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
const lists = [e.list_1_1, e.list_1_2, e.list_2_1, e.list_2_2, e.list_3_1, e.list_3_2, e.list_4_1, e.list_4_2];
const c = new Int32Array(control);
Atomics.store(c, ${READY} + index, 1);
let seen = 0;
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  seen = Atomics.load(c, ${SEQ});
  const round = seen & ${(1 << (31 - ROUND_SHIFT)) - 1};
  for (;;) {
    const claim = Atomics.load(c, ${CLAIM});
    if ((claim >>> ${ROUND_SHIFT}) !== round) break;
    const job = claim & ${(1 << ROUND_SHIFT) - 1};
    if (job >= Atomics.load(c, ${TOTAL})) break;
    if (Atomics.compareExchange(c, ${CLAIM}, claim, claim + 1) !== claim) continue;
    const b = ${JOBS} + ${JOB_INTS} * job;
    lists[c[b]](c[${ARGS}], c[${ARGS + 1}], c[${ARGS + 2}], c[${ARGS + 3}], c[${ARGS + 4}], c[b + 1], c[b + 2], c[b + 3], c[b + 4], c[b + 5]);
    Atomics.add(c, ${HELPER_JOBS}, 1);
    Atomics.add(c, ${DONE}, 1);
    Atomics.notify(c, ${DONE});
  }
}
`;

/** The caller's side of the pool: its own kernels and the helpers it wakes. */
export class GemmThreads {
  private readonly control: Int32Array;
  private readonly helpers: Worker[] = [];
  private round = 0;

  /**
   * @param lists the calling thread's list kernels, indexed as {@link GemmJob.kernel}
   * @param module the compiled kernel module, instantiated again by each helper
   * @param memory the memory the kernels address (shared when `helpers` > 0)
   * @param helpers worker threads besides the calling one (0: run every job on the caller; at most 3)
   * @param stallMs how long {@link run} waits with no job finishing before it gives up with an error
   *   (a helper thread that died holding a job would otherwise block the caller for ever)
   */
  constructor(
    private readonly lists: ListKernel[],
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    helpers: number,
    private readonly stallMs = 60_000,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(4 * (JOBS + JOB_INTS * MAX_JOBS)));
    for (let index = 0; index < Math.min(helpers, MAX_HELPERS); index++) {
      const worker = new Worker(HELPER_SOURCE, { eval: true, execArgv: [], workerData: { module, memory, control: this.control.buffer, index } });
      worker.unref();
      this.helpers.push(worker);
    }
  }

  /** Helper threads started (some may not be ready yet: then the caller runs their share). */
  get helperCount(): number {
    return this.helpers.length;
  }

  /** Helpers that have instantiated their kernels and wait for jobs. */
  readyHelpers(): number {
    return this.helpers.filter((_, i) => Atomics.load(this.control, READY + i) === 1).length;
  }

  /** Jobs run by helper threads since the pool started. */
  helperJobs(): number {
    return Atomics.load(this.control, HELPER_JOBS);
  }

  /**
   * Runs every job of a round; returns when all are done. With `callerTakesJobs` false (for tests of
   * the helpers) the calling thread only waits, and at least one helper must be ready.
   */
  run(round: GemmRound, jobs: GemmJob[], callerTakesJobs = true): void {
    if (jobs.length > MAX_JOBS) throw new Error(`detseg filter gradient: ${jobs.length} jobs, at most ${MAX_JOBS}`);
    const c = this.control;
    if (!callerTakesJobs && this.readyHelpers() === 0) throw new Error('detseg filter gradient: no helper thread is ready');
    if (this.readyHelpers() === 0) {
      for (const job of jobs) this.runJob(round, job);
      return;
    }
    this.round = (this.round + 1) & ((1 << (31 - ROUND_SHIFT)) - 1);
    c[ARGS] = round.list;
    c[ARGS + 1] = round.records;
    c[ARGS + 2] = round.xStep;
    c[ARGS + 3] = round.dyStep;
    c[ARGS + 4] = round.dwCiStride;
    jobs.forEach((job, j) => {
      const b = JOBS + JOB_INTS * j;
      c[b] = job.kernel;
      c[b + 1] = job.xOff;
      c[b + 2] = job.dyOff;
      c[b + 3] = job.dwOff;
      c[b + 4] = job.ciTiles;
      c[b + 5] = job.coTiles;
    });
    Atomics.store(c, DONE, 0);
    Atomics.store(c, TOTAL, jobs.length);
    Atomics.store(c, CLAIM, this.round << ROUND_SHIFT);
    Atomics.store(c, SEQ, this.round);
    Atomics.notify(c, SEQ);
    while (callerTakesJobs) {
      const claim = Atomics.load(c, CLAIM);
      const job = claim & ((1 << ROUND_SHIFT) - 1);
      if (job >= jobs.length) break;
      if (Atomics.compareExchange(c, CLAIM, claim, claim + 1) !== claim) continue;
      this.runJob(round, jobs[job]);
      Atomics.add(c, DONE, 1);
    }
    for (let done = Atomics.load(c, DONE); done < jobs.length; done = Atomics.load(c, DONE)) {
      if (Atomics.wait(c, DONE, done, this.stallMs) === 'timed-out' && Atomics.load(c, DONE) === done) {
        throw new Error(`detseg filter gradient: no job finished for ${this.stallMs} ms (${done} of ${jobs.length} done): a helper thread has stopped`);
      }
    }
  }

  /** Stops the helper threads (the pool then runs every job on the caller only if no helper had become ready). */
  async terminate(): Promise<void> {
    await Promise.all(this.helpers.map((worker) => worker.terminate()));
  }

  private runJob(round: GemmRound, job: GemmJob): void {
    this.lists[job.kernel](round.list, round.records, round.xStep, round.dyStep, round.dwCiStride, job.xOff, job.dyOff, job.dwOff, job.ciTiles, job.coTiles);
  }
}
