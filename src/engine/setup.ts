import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { registerWasmGradientKernels } from './kernels.js';
import { registerThreadedWasm } from './threads.js';

/** Options of {@link initEngine}. */
export interface EngineOptions {
  /**
   * Number of wasm threads wanted (default: `$DETSEG_THREADS`, else 2 when the machine has 2 or more
   * cores, else 1 — {@link defaultThreads}). Above 1 the threaded-SIMD build
   * is started by `threads.ts` (upstream tfjs disables it in Node); if that fails the engine
   * falls back to the single-threaded SIMD build and says why in {@link EngineInfo.threadNote}.
   */
  threads?: number;
}

/** What {@link initEngine} set up. */
export interface EngineInfo {
  /** Always 'wasm'. */
  backend: string;
  /** Whether the SIMD build of the wasm binary is in use. */
  simd: boolean;
  /** Threads the wasm backend actually runs with. */
  threads: number;
  /** Threads that were asked for. */
  threadsRequested: number;
  /** Folder the `.wasm` binaries were loaded from. */
  wasmDir: string;
  /** Why fewer threads than requested run, when so. */
  threadNote?: string;
}

let ready: Promise<EngineInfo> | undefined;

/** Folder of the tfjs-backend-wasm binaries inside node_modules (file paths: nothing is fetched). */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/**
 * Starts TF.js on the wasm backend (XNNPACK, SIMD when the runtime has it) and registers the gradient
 * kernels the wasm backend lacks (see `kernels.ts`). Idempotent: later calls return the first result,
 * whatever their options.
 */
export function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  ready ??= start(options);
  return ready;
}

/**
 * Threads used when neither the option nor `$DETSEG_THREADS` says: 2 on a machine with 2 or more cores
 * (XNNPACK's thread pool steals work, so a busy second core costs little and a free one saves much;
 * timings in docs/benchmarks.md), else 1. Results are bit-identical for any thread count (tested).
 */
export function defaultThreads(): number {
  return availableParallelism() >= 2 ? 2 : 1;
}

/** Threads wanted: the option, else `$DETSEG_THREADS`, else {@link defaultThreads}. */
function threadsWanted(options: EngineOptions): number {
  const fromEnv = Number(process.env.DETSEG_THREADS);
  const n = options.threads ?? (Number.isFinite(fromEnv) && fromEnv >= 1 ? fromEnv : defaultThreads());
  return Math.max(1, Math.floor(n));
}

async function start(options: EngineOptions): Promise<EngineInfo> {
  const threadsRequested = threadsWanted(options);
  const wasmDir = wasmBinaryDir();
  wasm.setWasmPaths(wasmDir);
  let threadNote: string | undefined;
  let ok = false;
  if (threadsRequested > 1) {
    const restoreUpstream = registerThreadedWasm(threadsRequested);
    try {
      ok = await tf.setBackend('wasm');
      if (!ok) throw new Error('the threaded module did not start');
    } catch (err) {
      threadNote = `threaded wasm unavailable (${(err as Error).message ?? String(err)}); running 1 thread`;
      restoreUpstream();
      ok = false;
    }
  }
  if (!ok) ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('detseg: the TF.js wasm backend failed to start');
  await tf.ready();
  registerWasmGradientKernels();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const threads = wasm.getThreadsCount();
  if (threads < threadsRequested && !threadNote) threadNote = `the wasm thread pool has ${threads} thread(s)`;
  return { backend: tf.getBackend(), simd, threads, threadsRequested, wasmDir, ...(threadNote ? { threadNote } : {}) };
}

/** The tfjs namespace used by the engine (one instance for the whole package). */
export { tf };
