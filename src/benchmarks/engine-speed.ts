import * as tf from '@tensorflow/tfjs';
import { buildUNet } from '../models/unet/unet.js';
import { sigmoidCrossEntropy } from '../models/losses.js';
import { median } from '../util/median.js';
import { mulberry32 } from '../util/random.js';
import { profileKernels, type KernelProfile } from '../engine/kernels-profile.js';

/**
 * Speed probes of the engine, shared by `detseg bench unet-step` and `bench/engine.bench.ts`.
 * Call `initEngine()` first.
 */

/** Options of {@link prepareUNetStep}. */
export interface UNetStepOptions {
  /** Batch size (default 8). */
  batch?: number;
  /** Image side in pixels (default 128). */
  size?: number;
  /** Channels of the first block (default 16: blocks 16-32-64-128, 481,745 parameters). */
  baseWidth?: number;
}

/** A prepared training step, and what it trains. */
export interface PreparedStep {
  /** Runs one Adam step with sigmoid cross-entropy; returns the loss. */
  step: () => number;
  /** Parameters of the model. */
  parameters: number;
  /** Frees the model, optimizer and data. */
  dispose: () => void;
}

/**
 * Builds the benchmark U-Net (3×3 convs, 2×2 transposed convs), an Adam optimizer and a fixed random
 * batch `x [B, S, S, 1]`, `y [B, S, S, 1]`, and returns the training step to time.
 */
export function prepareUNetStep(options: UNetStepOptions = {}): PreparedStep {
  const batch = options.batch ?? 8;
  const size = options.size ?? 128;
  const model = buildUNet({ depth: 3, baseWidth: options.baseWidth ?? 16, seed: 1 });
  const random = mulberry32(42);
  const n = batch * size * size;
  const xData = new Float32Array(n);
  const yData = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    xData[i] = random();
    yData[i] = random() < 0.3 ? 1 : 0;
  }
  const x = tf.tensor4d(xData, [batch, size, size, 1]); // [B, S, S, 1]
  const y = tf.tensor4d(yData, [batch, size, size, 1]); // [B, S, S, 1]
  const optimizer = tf.train.adam(1e-3);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () => {
    const cost = optimizer.minimize(() => sigmoidCrossEntropy(model.apply(x, { training: true }) as tf.Tensor, y), true, variables);
    const value = cost ? (cost.dataSync()[0] as number) : NaN;
    cost?.dispose();
    return value;
  };
  return {
    step,
    parameters: model.countParams(),
    dispose: () => {
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** Options of {@link prepareConvForward}. */
export interface ConvProbeOptions {
  batch?: number;
  size?: number;
  inChannels?: number;
  outChannels?: number;
}

/**
 * A 3×3 'same' convolution forward pass (default `[8, 64, 64, 32] → [8, 64, 64, 32]`, a middle layer
 * of the benchmark U-Net) and its floating-point operations (2 per multiply-add).
 */
export function prepareConvForward(options: ConvProbeOptions = {}): { run: () => void; flops: number; dispose: () => void } {
  const batch = options.batch ?? 8;
  const size = options.size ?? 64;
  const cin = options.inChannels ?? 32;
  const cout = options.outChannels ?? 32;
  const x = tf.randomNormal([batch, size, size, cin], 0, 1, 'float32', 1) as tf.Tensor4D; // [B, H, W, Cin]
  const w = tf.randomNormal([3, 3, cin, cout], 0, 0.1, 'float32', 2) as tf.Tensor4D; // [3, 3, Cin, Cout]
  return {
    run: () => {
      const y = tf.conv2d(x, w, 1, 'same');
      y.dataSync();
      y.dispose();
    },
    flops: 2 * batch * size * size * 9 * cin * cout,
    dispose: () => tf.dispose([x, w]),
  };
}

/**
 * Timings in ms of `reps` runs of `op` after `warmup` untimed runs: wall-clock median, minimum and all
 * of them, and the median CPU time of the process (user + system, all threads) — on a shared machine
 * the CPU time of a single-threaded run is the better measure of the work itself.
 */
export function timeRuns(op: () => unknown, reps: number, warmup = 1): { medianMs: number; minMs: number; times: number[]; cpuMedianMs: number } {
  for (let i = 0; i < warmup; i++) op();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    op();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { medianMs: median(times), minMs: Math.min(...times), times, cpuMedianMs: median(cpu) };
}

/**
 * Per-kernel self time of the benchmark U-Net training step (see {@link prepareUNetStep} and
 * `engine/kernels-profile.ts`): `warmup` untimed steps, then the mean over `reps` profiled steps, with the
 * process's CPU time per step beside the wall time. Call `initEngine()` first.
 */
export function profileUNetStep(options: UNetStepOptions & { reps?: number; warmup?: number } = {}): KernelProfile & { cpuMs: number } {
  const prepared = prepareUNetStep(options);
  try {
    for (let i = 0; i < (options.warmup ?? 2); i++) prepared.step();
    const reps = options.reps ?? 3;
    const c0 = process.cpuUsage();
    const profile = profileKernels(prepared.step, reps);
    const c = process.cpuUsage(c0);
    return { ...profile, cpuMs: (c.user + c.system) / 1000 / reps };
  } finally {
    prepared.dispose();
  }
}

/** {@link profileUNetStepPhases}: the kernels of the forward + backward pass and of the Adam update apart. */
export interface UNetStepPhaseProfile {
  /** Loss, forward pass and gradients (`tf.variableGrads`). */
  gradients: KernelProfile;
  /** Adam's update of every variable (`optimizer.applyGradients`). */
  optimizer: KernelProfile;
  /** Wall time of a whole step (mean over the profiled steps). */
  stepMs: number;
}

/**
 * The benchmark U-Net training step in its two phases, each profiled per kernel (see
 * {@link profileKernels}): the gradients and the optimizer update, which `optimizer.minimize` runs one
 * after the other. `warmup` untimed steps, then the means over `reps` steps. Call `initEngine()` first.
 */
export function profileUNetStepPhases(options: UNetStepOptions & { reps?: number; warmup?: number } = {}): UNetStepPhaseProfile {
  const batch = options.batch ?? 8;
  const size = options.size ?? 128;
  const model = buildUNet({ depth: 3, baseWidth: options.baseWidth ?? 16, seed: 1 });
  const random = mulberry32(42);
  const n = batch * size * size;
  const x = tf.tensor4d(Float32Array.from({ length: n }, () => random()), [batch, size, size, 1]); // [B, S, S, 1]
  const y = tf.tensor4d(Float32Array.from({ length: n }, () => (random() < 0.3 ? 1 : 0)), [batch, size, size, 1]); // [B, S, S, 1]
  const optimizer = tf.train.adam(1e-3);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let grads: ReturnType<typeof tf.variableGrads> | undefined;
  const gradients = () => {
    grads = tf.variableGrads(() => sigmoidCrossEntropy(model.apply(x, { training: true }) as tf.Tensor, y) as tf.Scalar, variables);
    grads.value.dataSync();
  };
  const update = () => {
    optimizer.applyGradients(grads!.grads as Parameters<typeof optimizer.applyGradients>[0]); // what minimize() passes
    tf.dispose([grads!.value, ...Object.values(grads!.grads)]);
  };
  try {
    for (let i = 0; i < (options.warmup ?? 2); i++) {
      gradients();
      update();
    }
    const reps = options.reps ?? 3;
    const parts: KernelProfile[][] = [[], []];
    let stepMs = 0;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      parts[0].push(profileKernels(gradients, 1));
      parts[1].push(profileKernels(update, 1));
      stepMs += performance.now() - t0;
    }
    return { gradients: meanProfile(parts[0]), optimizer: meanProfile(parts[1]), stepMs: stepMs / reps };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

/** The mean of kernel profiles of single runs. */
function meanProfile(profiles: KernelProfile[]): KernelProfile {
  const k = profiles.length;
  const kernels = new Map<string, { kernel: string; calls: number; selfMs: number; totalMs: number }>();
  const byCaller = new Map<string, { caller: string; kernel: string; calls: number; selfMs: number }>();
  for (const p of profiles) {
    for (const e of p.kernels) {
      const m = kernels.get(e.kernel) ?? { kernel: e.kernel, calls: 0, selfMs: 0, totalMs: 0 };
      m.calls += e.calls / k;
      m.selfMs += e.selfMs / k;
      m.totalMs += e.totalMs / k;
      kernels.set(e.kernel, m);
    }
    for (const e of p.byCaller) {
      const key = `${e.caller}>${e.kernel}`;
      const m = byCaller.get(key) ?? { caller: e.caller, kernel: e.kernel, calls: 0, selfMs: 0 };
      m.calls += e.calls / k;
      m.selfMs += e.selfMs / k;
      byCaller.set(key, m);
    }
  }
  return {
    kernels: [...kernels.values()].sort((a, b) => b.selfMs - a.selfMs),
    byCaller: [...byCaller.values()].sort((a, b) => b.selfMs - a.selfMs),
    runMs: profiles.reduce((s, p) => s + p.runMs, 0) / k,
    kernelMs: profiles.reduce((s, p) => s + p.kernelMs, 0) / k,
  };
}
