import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import workerThreads, { type WorkerOptions } from 'node:worker_threads';
import { writeFileAtomic } from '../util/atomic.js';

/**
 * Multi-threaded wasm backend in Node — everything about threads lives in this file.
 *
 * Upstream tfjs-backend-wasm 4.22.0 never picks its threaded-SIMD build in Node: the
 * flag WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to false under Node, and its loader hands the
 * Emscripten pthread workers blob: URLs (for the worker script and for the main script the workers
 * import), which Node's `worker_threads` cannot load. Here the threaded module is started directly from
 * the package's `wasm-out/` files with real file paths instead:
 *
 * - the worker script (exported by the package as a string) is written once to a file in the temp folder;
 * - the workers import the factory script `wasm-out/tfjs-backend-wasm-threaded-simd.js` by path;
 * - the `.wasm` binary is read from `dist/` next to the others.
 *
 * The module is then wrapped in the package's own `BackendWasm` and registered as backend 'wasm' in
 * place of the upstream factory, so every wasm kernel (and the kernel pack) runs on it. Any failure
 * restores the upstream single-threaded factory: the caller falls back to 1 thread cleanly.
 * The version is pinned (4.22.0); the file layout checked here is that version's.
 */

interface EmscriptenModule {
  cwrap: (name: string, ret: string | null, args: string[]) => (...a: number[]) => number;
  tfjs?: Record<string, unknown>;
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

/** Files of the threaded build in the installed package, or undefined when the layout differs. */
function threadedFiles(): { factoryJs: string; workerContents: string; wasmBinary: string } | undefined {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const factoryJs = join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const workerJs = join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js');
  const wasmBinary = join(root, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
  if (![factoryJs, workerJs, wasmBinary].every((f) => existsSync(f))) return undefined;
  const workerContents = (require(workerJs) as { wasmWorkerContents?: string }).wasmWorkerContents;
  if (typeof workerContents !== 'string') return undefined;
  // The package keeps the one-line script in a template literal, where "\\n" inside its string literals
  // has become a real line break; put the escape back (upstream does the same before making its blob).
  return { factoryJs, workerContents: workerContents.replace(/\n/g, '\\n'), wasmBinary };
}

/** Writes the pthread worker script to the temp folder (once per content) and returns its path. */
function workerScriptFile(contents: string): string {
  const dir = join(tmpdir(), `detseg-tfjs-wasm-${wasm.version_wasm}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `threaded-simd.worker.${contents.length}.cjs`);
  if (!existsSync(file) || readFileSync(file, 'utf8') !== contents) writeFileAtomic(file, contents);
  return file;
}

/** Starts the threaded-SIMD Emscripten module with file paths in place of blob: URLs. */
async function startThreadedModule(): Promise<EmscriptenModule> {
  const files = threadedFiles();
  if (!files) throw new Error('the threaded-SIMD files of tfjs-backend-wasm were not found');
  const require = createRequire(import.meta.url);
  const factory = require(files.factoryJs) as Factory;
  const workerFile = workerScriptFile(files.workerContents);
  // Emscripten creates its workers with `new (require('worker_threads').Worker)(file)`, which inherits
  // this process's Node flags (e.g. `--import tsx`, `--input-type`); the worker script is plain
  // CommonJS and needs none of them. Start workers with no flags: the glue keeps the class it finds
  // when the factory runs, so the property is swapped only around that call.
  const RealWorker = workerThreads.Worker;
  class PlainWorker extends RealWorker {
    constructor(file: string | URL, options: WorkerOptions = {}) {
      super(file, { execArgv: [], ...options });
    }
  }
  (workerThreads as { Worker: typeof RealWorker }).Worker = PlainWorker;
  let started: Promise<EmscriptenModule>;
  try {
    started = factory({
      locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? workerFile : path.endsWith('.wasm') ? files.wasmBinary : prefix + path),
      mainScriptUrlOrBlob: files.factoryJs,
    });
  } finally {
    (workerThreads as { Worker: typeof RealWorker }).Worker = RealWorker;
  }
  const module = await started;
  // The bridge the package's BackendWasm expects (the same C entry points its own loader wraps).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * Registers a threaded wasm backend with `threads` threads as 'wasm' (before `tf.setBackend('wasm')`).
 * Returns a function that puts the upstream single-threaded factory back (for the fallback).
 */
export function registerThreadedWasm(threads: number): () => void {
  const engine = tf.engine() as unknown as { registryFactory: Record<string, { factory: () => unknown; priority: number }> };
  const upstream = engine.registryFactory.wasm;
  wasm.setThreadsCount(threads);
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      // The backend caps its thread pool at half the logical cores the Emscripten glue reports
      // (`require('os').cpus().length` under Node, read when the module starts and when the pool is
      // made), i.e. 1 thread on a 2-core machine. Report 2 × threads cores meanwhile, so that the
      // pool gets exactly `threads` threads.
      const realCpus = os.cpus;
      const cpus = realCpus();
      os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => cpus[i % Math.max(1, cpus.length)]);
      try {
        const module = await startThreadedModule();
        const backend = new wasm.BackendWasm(module as never);
        // Pool threads run for the life of the process; unref their workers so that they do not
        // keep Node alive once the program is done (Emscripten unrefs only idle ones).
        const pthreads = (module as { PThread?: { runningWorkers?: Array<{ unref?: () => void }>; unusedWorkers?: Array<{ unref?: () => void }> } }).PThread;
        for (const worker of [...(pthreads?.runningWorkers ?? []), ...(pthreads?.unusedWorkers ?? [])]) worker.unref?.();
        return backend;
      } finally {
        os.cpus = realCpus;
      }
    },
    upstream?.priority ?? 2,
  );
  return () => {
    tf.removeBackend('wasm');
    wasm.setThreadsCount(1);
    if (upstream) tf.registerBackend('wasm', upstream.factory as () => tf.KernelBackend, upstream.priority);
  };
}
