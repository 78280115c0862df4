import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registerWasmGradientKernels } from './kernels.js';

/** Options of {@link initEngine}. */
export interface EngineOptions {
  /**
   * Number of wasm threads wanted (default 1). Upstream tfjs disables wasm threads in Node
   * (tfjs issue 3830); values above 1 are recorded but the engine runs the single-threaded SIMD build.
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

async function start(options: EngineOptions): Promise<EngineInfo> {
  const threadsRequested = Math.max(1, Math.floor(options.threads ?? 1));
  const wasmDir = wasmBinaryDir();
  wasm.setWasmPaths(wasmDir);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('detseg: the TF.js wasm backend failed to start');
  await tf.ready();
  registerWasmGradientKernels();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  return { backend: tf.getBackend(), simd, threads: wasm.getThreadsCount(), threadsRequested, wasmDir };
}

/** The tfjs namespace used by the engine (one instance for the whole package). */
export { tf };
