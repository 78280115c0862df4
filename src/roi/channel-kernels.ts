import { simdKernels, type SimdKernels } from '../ops/simd-kernels.js';

/**
 * The channel loops of the RoI ops on NHWC maps, one bin at a time. A bin is described by a list of
 * taps: flat element indices of a cell's channel 0 (plus weights for RoI Align); its C channels are
 * contiguous both in the feature map and in the output, so each loop runs over contiguous memory.
 * Two implementations give the same results up to float32 rounding:
 * - `'simd'`: WebAssembly SIMD kernels ({@link simdKernels}), 4 channels per instruction; the arrays
 *   are copied into the kernels' memory when the op starts and the result copied out at the end;
 * - `'scalar'`: plain TypeScript loops (also the fallback where WebAssembly SIMD is missing).
 */
export type ChannelImplementation = 'simd' | 'scalar';

// Every kernel takes an optional `into`: arrays of the right length to write the result to instead of
// new ones (checked by the callers).

/** Weighted sums (RoI Align forward) or their transpose (backward) over the taps of each bin. */
export interface TapKernel {
  /**
   * Forward: out[o + c] = Σ_t weights[t] · features[offsets[t] + c]. Backward: gradInput[offsets[t] + c]
   * += weights[t] · gradOutput[o + c]. For c < channels; `taps` entries of `offsets`/`weights` are used.
   */
  run(o: number, taps: number, offsets: Int32Array, weights: Float64Array): void;
  /** The finished array: the output (forward) or the input gradient (backward). */
  finish(): Float32Array;
}

/** Maxima with argmax (RoI Pool) over the cells of each bin. */
export interface MaxKernel {
  /**
   * out[o + c] = max over t of features[cells[t] + c] (from −FLT_MAX, strictly greater wins) and
   * argmax[o + c] its flat index, for c < channels; `count` = 0 gives 0 and −1 (an empty bin). The
   * cells must come in increasing order (row-major within the bin).
   * Without argmax, `finish()` returns an empty `argmax`.
   */
  run(o: number, count: number, cells: Int32Array): void;
  finish(): { output: Float32Array; argmax: Int32Array };
}

const LOWEST_FLOAT32 = -3.4028234663852886e38;

/** Largest arrays the SIMD kernels take in one call (the rest of 2 GiB is left for the tap lists). */
const MAX_SESSION_BYTES = 2 ** 31 - 2 ** 26;

/**
 * The SIMD kernels' memory laid out for one call, or undefined for the scalar loops: when asked for,
 * when WebAssembly SIMD is missing, or when the arrays do not fit in 2 GiB of WebAssembly memory.
 */
function openSession(implementation: ChannelImplementation | undefined, regionBytes: number[]): SimdSession | undefined {
  const simd = implementation === 'scalar' ? undefined : simdKernels();
  // Byte addresses stay below 2 GiB so that they are non-negative int32s (the `>> 2` below).
  if (!simd || regionBytes.reduce((a, b) => a + b, 0) > MAX_SESSION_BYTES) return undefined;
  try {
    return new SimdSession(simd, regionBytes);
  } catch (err) {
    if (err instanceof RangeError) return undefined; // memory.grow beyond the 4 GiB limit
    throw err;
  }
}

/**
 * The kernels' memory during one op call: up to three 16-byte aligned regions (`regions[i]` is the
 * byte address of the i-th), then a growable tap list, and views.
 */
class SimdSession {
  readonly regions: number[] = [];
  f32: Float32Array;
  i32: Int32Array;
  /** Byte address of the tap list. */
  readonly taps: number;
  private capacity = 0;

  constructor(readonly simd: SimdKernels, regionBytes: number[]) {
    let top = 0;
    for (const bytes of regionBytes) {
      this.regions.push(top);
      top = (top + bytes + 15) & ~15;
    }
    this.taps = top;
    this.f32 = new Float32Array(0);
    this.i32 = new Int32Array(0);
    this.reserveTaps(64);
  }

  /**
   * Writes `taps` records (byte address `base + 4·offsets[t]`, float32 `weights[t]`) for gather and
   * scatter.
   */
  writeWeightedTaps(taps: number, offsets: Int32Array, weights: Float64Array, base: number): void {
    if (taps > this.capacity) this.reserveTaps(Math.max(taps, 2 * this.capacity));
    const at = this.taps >> 2, i32 = this.i32, f32 = this.f32;
    for (let t = 0; t < taps; t++) {
      i32[at + 2 * t] = base + 4 * offsets[t];
      f32[at + 2 * t + 1] = weights[t];
    }
  }

  /** Writes `count` Int32 cell indices for max and argmax. */
  writeCells(count: number, cells: Int32Array): void {
    if (count > this.capacity) this.reserveTaps(Math.max(count, 2 * this.capacity));
    const at = this.taps >> 2, i32 = this.i32;
    for (let t = 0; t < count; t++) i32[at + t] = cells[t];
  }

  private reserveTaps(capacity: number): void {
    this.capacity = capacity;
    this.simd.reserve(this.taps + 8 * capacity);
    // Growing the memory detaches the old buffer: the views are made again.
    if (this.f32.buffer !== this.simd.memory.buffer || this.f32.length === 0) {
      this.f32 = new Float32Array(this.simd.memory.buffer);
      this.i32 = new Int32Array(this.simd.memory.buffer);
    }
  }
}

/**
 * Elements of a staging region (at least one bin): the kernels write their outputs there, and the
 * region is copied to the destination array each time it is full, while it is still in the
 * processor's cache, rather than the whole output at the end. (Measured on the `roi` benchmarks:
 * writing large outputs straight into a fresh WebAssembly memory instead, returned as views of its
 * buffer, was no faster: page faults on new memory cost the same wherever they happen.)
 */
const STAGE_ELEMENTS = 65536;

function stageLength(outLength: number, channels: number): number {
  return Math.min(outLength, Math.max(STAGE_ELEMENTS, channels));
}

/**
 * An output array (`into`, or a new one of `length` elements) filled by the kernels bin by bin
 * through a staging region of `regionLength` elements at byte address `ptr` of the kernels' memory.
 * The bins must be reserved in order, each starting where the previous one ended (o = 0, C, 2C, …),
 * as the RoI loops visit them; {@link KernelOutput.finish} copies the last part and returns the array.
 */
class KernelOutput<T extends Float32Array | Int32Array> {
  /** Output index of the region's first element, and the end of what is staged there. */
  private base = 0;
  private end = 0;
  private readonly dest: T;

  constructor(private readonly session: SimdSession, private readonly ptr: number, length: number, private readonly regionLength: number, private readonly kind: 'f32' | 'i32', into: T | undefined) {
    this.dest = into ?? ((kind === 'f32' ? new Float32Array(length) : new Int32Array(length)) as T);
  }

  /**
   * Makes room for output elements [o, o + count) and returns the element index (into the kernels'
   * memory) where out[o] goes. Copies the staged elements to the array first when they would not fit.
   */
  reserve(o: number, count: number): number {
    if (o + count > this.base + this.regionLength) {
      this.flush();
      this.base = o;
    }
    this.end = o + count;
    return (this.ptr >> 2) + o - this.base;
  }

  /** Copies what is left in the staging region and returns the filled array. */
  finish(): T {
    this.flush();
    return this.dest;
  }

  private flush(): void {
    const view = this.kind === 'f32' ? this.session.f32 : this.session.i32;
    const start = this.ptr >> 2;
    if (this.end > this.base) this.dest.set(view.subarray(start, start + this.end - this.base), this.base);
    this.base = this.end;
  }
}

/**
 * Kernel for RoI Align's forward pass: `features: Float32Array [B,H,W,C]` → output of `outLength`
 * elements (`[K, outH, outW, C]`).
 */
export function gatherKernel(features: Float32Array, outLength: number, channels: number, implementation?: ChannelImplementation, into?: Float32Array): TapKernel {
  const stage = stageLength(outLength, channels);
  const session = openSession(implementation, [4 * features.length, 4 * stage]);
  if (!session) {
    const out = into ?? new Float32Array(outLength);
    return { run: (o, taps, offsets, weights) => gatherScalar(features, out, o, channels, taps, offsets, weights), finish: () => out };
  }
  const simd = session.simd;
  const [featPtr, outPtr] = session.regions;
  session.f32.set(features, featPtr >> 2);
  const output = new KernelOutput(session, outPtr, outLength, stage, 'f32', into);
  const bytes = 4 * channels;
  return {
    run(o, taps, offsets, weights) {
      const at = output.reserve(o, channels); // element index of out[o] in the kernels' memory
      session.writeWeightedTaps(taps, offsets, weights, featPtr);
      const { taps: list, f32 } = session;
      const outByte = 4 * at;
      const done = simd.gather(outByte, list, taps, 0, bytes);
      // The last channels (C mod 4) in scalar code.
      for (let c = done >> 2; c < channels; c++) {
        let s = 0;
        for (let t = 0; t < taps; t++) s += weights[t] * f32[(featPtr >> 2) + offsets[t] + c];
        f32[at + c] = s;
      }
    },
    finish: () => output.finish(),
  };
}

/**
 * Kernel for RoI Align's backward pass: `gradOutput` (`[K, outH, outW, C]`) → input gradient of
 * `inLength` elements (`[B,H,W,C]`).
 */
export function scatterKernel(gradOutput: Float32Array, inLength: number, channels: number, implementation?: ChannelImplementation, into?: Float32Array): TapKernel {
  const session = openSession(implementation, [4 * inLength, 4 * gradOutput.length]);
  if (!session) {
    const gradInput = into ? into.fill(0) : new Float32Array(inLength);
    return { run: (o, taps, offsets, weights) => scatterScalar(gradOutput, gradInput, o, channels, taps, offsets, weights), finish: () => gradInput };
  }
  const simd = session.simd;
  const [gradInPtr, gradOutPtr] = session.regions;
  session.f32.fill(0, gradInPtr >> 2, (gradInPtr >> 2) + inLength);
  session.f32.set(gradOutput, gradOutPtr >> 2);
  const bytes = 4 * channels;
  return {
    run(o, taps, offsets, weights) {
      session.writeWeightedTaps(taps, offsets, weights, gradInPtr);
      const { taps: list, f32 } = session;
      const gByte = gradOutPtr + 4 * o;
      const done = simd.scatter(gByte, list, taps, 0, bytes);
      for (let t = 0; t < taps && done < bytes; t++) {
        const p = (gradInPtr >> 2) + offsets[t];
        for (let c = done >> 2; c < channels; c++) f32[p + c] += weights[t] * f32[(gradOutPtr >> 2) + o + c];
      }
    },
    finish: () => copyOut(session.f32, gradInPtr, inLength, into),
  };
}

/**
 * Kernel for RoI Pool's forward pass: `features: Float32Array [B,H,W,C]` → output of `outLength`
 * elements, and with `withArgmax` the argmax of each (else `finish()` gives an empty argmax).
 */
export function maxKernel(features: Float32Array, outLength: number, channels: number, withArgmax: boolean, implementation?: ChannelImplementation, into?: { output: Float32Array; argmax?: Int32Array }): MaxKernel {
  const stage = stageLength(outLength, channels);
  const session = openSession(implementation, [4 * features.length, 4 * stage, withArgmax ? 4 * stage : 0]);
  if (!session) {
    const output = into?.output ?? new Float32Array(outLength);
    const argmax = withArgmax ? (into?.argmax ?? new Int32Array(outLength)) : new Int32Array(0);
    return { run: (o, count, cells) => maxScalar(features, output, withArgmax ? argmax : undefined, o, channels, count, cells), finish: () => ({ output, argmax }) };
  }
  const simd = session.simd;
  const [featPtr, outPtr, argPtr] = session.regions;
  session.f32.set(features, featPtr >> 2);
  const output = new KernelOutput(session, outPtr, outLength, stage, 'f32', into?.output);
  const argmax = withArgmax ? new KernelOutput(session, argPtr, outLength, stage, 'i32', into?.argmax) : undefined;
  return {
    run(o, count, cells) {
      const at = output.reserve(o, channels); // element index of out[o] in the kernels' memory
      const argAt = argmax ? argmax.reserve(o, channels) : 0;
      session.writeCells(count, cells);
      const { taps: list, f32, i32 } = session;
      const outByte = 4 * at, argByte = 4 * argAt;
      const done = argmax
        ? simd.argmax(outByte, argByte, list, count, featPtr, 0, channels)
        : simd.max(outByte, list, count, featPtr, 0, channels);
      // The last channels (C mod 4) in scalar code.
      for (let c = done; c < channels; c++) {
        let best = LOWEST_FLOAT32, arg = -1;
        for (let t = 0; t < count; t++) {
          const v = f32[(featPtr >> 2) + cells[t] + c];
          if (v > best) { best = v; arg = cells[t] + c; }
        }
        f32[at + c] = best;
        if (argmax) i32[argAt + c] = arg;
      }
      if (count === 0) f32.fill(0, at, at + channels); // empty bin
    },
    finish: () => ({ output: output.finish(), argmax: argmax ? argmax.finish() : new Int32Array(0) }),
  };
}

/**
 * Copies `length` elements at byte address `ptr` of the kernels' memory into `into` when given (a
 * caller's reused buffer: no fresh memory to fault in), else into a new array.
 */
function copyOut<T extends Float32Array | Int32Array>(view: T, ptr: number, length: number, into: T | undefined): T {
  const src = view.subarray(ptr >> 2, (ptr >> 2) + length) as T;
  if (!into) return src.slice() as T;
  into.set(src);
  return into;
}

/**
 * out[o + c] = Σ_t w_t · features[offset_t + c] for c < channels: the channel loop runs over contiguous
 * memory, four taps at a time so that each output element is loaded and stored once per four taps.
 */
function gatherScalar(features: Float32Array, out: Float32Array, o: number, channels: number, taps: number, offsets: Int32Array, weights: Float64Array): void {
  const end = o + channels;
  let t = 0;
  out.fill(0, o, end);
  for (; t + 4 <= taps; t += 4) {
    const w0 = weights[t], w1 = weights[t + 1], w2 = weights[t + 2], w3 = weights[t + 3];
    const p0 = offsets[t] - o, p1 = offsets[t + 1] - o, p2 = offsets[t + 2] - o, p3 = offsets[t + 3] - o;
    for (let i = o; i < end; i++) out[i] += w0 * features[p0 + i] + w1 * features[p1 + i] + w2 * features[p2 + i] + w3 * features[p3 + i];
  }
  for (; t < taps; t++) {
    const w0 = weights[t];
    const p0 = offsets[t] - o;
    for (let i = o; i < end; i++) out[i] += w0 * features[p0 + i];
  }
}

/** gradInput[offset_t + c] += w_t · gradOutput[o + c] for every tap t and c < channels. */
function scatterScalar(gradOutput: Float32Array, gradInput: Float32Array, o: number, channels: number, taps: number, offsets: Int32Array, weights: Float64Array): void {
  for (let t = 0; t < taps; t++) {
    const w = weights[t];
    const p = offsets[t] - o;
    for (let i = o; i < o + channels; i++) gradInput[p + i] += w * gradOutput[i];
  }
}

/**
 * Max (and argmax when `argmax` is given) over the cells of one bin, channel by channel (contiguous),
 * as torchvision compares: from −FLT_MAX, a value wins only when strictly greater.
 */
function maxScalar(features: Float32Array, output: Float32Array, argmax: Int32Array | undefined, o: number, channels: number, count: number, cells: Int32Array): void {
  const end = o + channels;
  if (count === 0) {
    output.fill(0, o, end);
    argmax?.fill(-1, o, end);
    return;
  }
  output.fill(LOWEST_FLOAT32, o, end);
  if (!argmax) {
    for (let t = 0; t < count; t++) {
      const p = cells[t] - o;
      for (let i = o; i < end; i++) {
        const v = features[p + i];
        if (v > output[i]) output[i] = v;
      }
    }
    return;
  }
  argmax.fill(-1, o, end);
  for (let t = 0; t < count; t++) {
    const p = cells[t] - o;
    for (let i = o; i < end; i++) {
      const v = features[p + i];
      if (v > output[i]) {
        output[i] = v;
        argmax[i] = p + i;
      }
    }
  }
}
