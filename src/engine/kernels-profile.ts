import * as tf from '@tensorflow/tfjs';

/** Time spent in one kernel, summed over the profiled runs and divided by their number. */
export interface KernelTime {
  /** Kernel name, e.g. 'Conv2D', 'Conv2DBackpropFilter'. */
  kernel: string;
  /** Calls per run. */
  calls: number;
  /** Self wall time per run in ms (time inside the kernel, less the kernels it calls itself). */
  selfMs: number;
  /** Total wall time per run in ms, nested kernels included. */
  totalMs: number;
}

/** Self time of a kernel called from inside another kernel (e.g. a `Conv2D` run by `Conv2DBackpropFilter`). */
export interface NestedKernelTime {
  /** The calling kernel; '' at top level. */
  caller: string;
  kernel: string;
  calls: number;
  selfMs: number;
}

/** Result of {@link profileKernels}. */
export interface KernelProfile {
  /** Kernels by decreasing self time. */
  kernels: KernelTime[];
  /** The same self times split by calling kernel, by decreasing self time. */
  byCaller: NestedKernelTime[];
  /** Wall time of a run in ms (mean over the runs). */
  runMs: number;
  /** Wall time per run spent inside kernels, in ms; the rest is JavaScript around them (autodiff, layers). */
  kernelMs: number;
}

/**
 * Times every kernel of `backendName` that `run` calls: each registered kernel function is wrapped (and
 * put back afterwards) with a wall clock; a kernel that calls other kernels — as the kernel pack's
 * composed ones do — is charged only its self time. The wasm kernels are synchronous, so the wall time
 * of a call is its time. Runs `run` `reps` times (after whatever warm-up the caller did) and returns the
 * per-run means.
 */
export function profileKernels(run: () => unknown, reps = 1, backendName = 'wasm'): KernelProfile {
  const configs = tf.getKernelsForBackend(backendName);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const calls = new Map<string, number>();
  const childTime: number[] = []; // stack: time spent in nested kernels of each open call
  const names: string[] = []; // stack: names of the open calls
  const nestedSelf = new Map<string, { caller: string; kernel: string; calls: number; selfMs: number }>();
  const originals: Array<[tf.KernelConfig, tf.KernelFunc]> = [];
  for (const config of configs) {
    const original = config.kernelFunc;
    const name = config.kernelName;
    originals.push([config, original]);
    (config as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
      const caller = names.length > 0 ? names[names.length - 1] : '';
      childTime.push(0);
      names.push(name);
      const t0 = performance.now();
      try {
        return original(args);
      } finally {
        const elapsed = performance.now() - t0;
        const nested = childTime.pop() as number;
        names.pop();
        const key = `${caller}>${name}`;
        const entry = nestedSelf.get(key) ?? { caller, kernel: name, calls: 0, selfMs: 0 };
        entry.calls++;
        entry.selfMs += elapsed - nested;
        nestedSelf.set(key, entry);
        if (childTime.length > 0) childTime[childTime.length - 1] += elapsed;
        self.set(name, (self.get(name) ?? 0) + elapsed - nested);
        total.set(name, (total.get(name) ?? 0) + elapsed);
        calls.set(name, (calls.get(name) ?? 0) + 1);
      }
    };
  }
  let runMs = 0;
  try {
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      run();
      runMs += performance.now() - t0;
    }
  } finally {
    for (const [config, original] of originals) (config as { kernelFunc: tf.KernelFunc }).kernelFunc = original;
  }
  const kernels = [...self.keys()]
    .map((kernel) => ({ kernel, calls: (calls.get(kernel) ?? 0) / reps, selfMs: (self.get(kernel) ?? 0) / reps, totalMs: (total.get(kernel) ?? 0) / reps }))
    .sort((a, b) => b.selfMs - a.selfMs);
  const byCaller = [...nestedSelf.values()].map((e) => ({ ...e, calls: e.calls / reps, selfMs: e.selfMs / reps })).sort((a, b) => b.selfMs - a.selfMs);
  return { kernels, byCaller, runMs: runMs / reps, kernelMs: kernels.reduce((s, k) => s + k.selfMs, 0) };
}
