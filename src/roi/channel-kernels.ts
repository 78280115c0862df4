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
   * argmax[o + c] its flat index, for c < channels; `count` = 0 gives 0 and −1 (an empty bin).
   * Without argmax, `finish()` returns an empty `argmax`.
   */
  run(o: number, count: number, cells: Int32Array): void;
  finish(): { output: Float32Array; argmax: Int32Array };
}

const LOWEST_FLOAT32 = -3.4028234663852886e38;

function resolve(implementation: ChannelImplementation | undefined): SimdKernels | undefined {
  return implementation === 'scalar' ? undefined : simdKernels();
}

/** 16-byte aligned bump allocator over the kernels' memory. */
class Layout {
  top = 0;
  take(bytes: number): number {
    const at = this.top;
    this.top = (at + bytes + 15) & ~15;
    return at;
  }
}

/** Growable tap lists (Int32 byte addresses and float32 weights) at the end of the kernels' memory. */
class TapArea {
  offsets = 0;
  weights = 0;
  capacity = 0;
  constructor(private readonly simd: SimdKernels, private readonly base: number) {}
  /** Makes room for `n` taps; returns true when the memory grew (views must be remade). */
  ensure(n: number): boolean {
    if (n <= this.capacity) return false;
    this.capacity = Math.max(n, 2 * this.capacity, 64);
    this.offsets = this.base;
    this.weights = this.base + 4 * this.capacity;
    const before = this.simd.memory.buffer.byteLength;
    this.simd.reserve(this.weights + 4 * this.capacity);
    return this.simd.memory.buffer.byteLength !== before;
  }
}

/**
 * Kernel for RoI Align's forward pass: `features: Float32Array [B,H,W,C]` → output of `outLength`
 * elements (`[K, outH, outW, C]`).
 */
export function gatherKernel(features: Float32Array, outLength: number, channels: number, implementation?: ChannelImplementation): TapKernel {
  const simd = resolve(implementation);
  if (!simd) {
    const out = new Float32Array(outLength);
    return { run: (o, taps, offsets, weights) => gatherScalar(features, out, o, channels, taps, offsets, weights), finish: () => out };
  }
  const layout = new Layout();
  const featPtr = layout.take(4 * features.length);
  const outPtr = layout.take(4 * outLength);
  const area = new TapArea(simd, layout.top);
  area.ensure(64);
  let f32 = new Float32Array(simd.memory.buffer);
  let i32 = new Int32Array(simd.memory.buffer);
  f32.set(features, featPtr >> 2);
  const bytes = 4 * channels;
  const vectorChannels = channels & ~3;
  return {
    run(o, taps, offsets, weights) {
      if (area.ensure(taps)) {
        f32 = new Float32Array(simd.memory.buffer);
        i32 = new Int32Array(simd.memory.buffer);
      }
      const oi = area.offsets >> 2, wi = area.weights >> 2;
      for (let t = 0; t < taps; t++) {
        i32[oi + t] = featPtr + 4 * offsets[t];
        f32[wi + t] = weights[t];
      }
      const outByte = outPtr + 4 * o;
      const done = simd.gather4(outByte, area.offsets, area.weights, taps, simd.gather16(outByte, area.offsets, area.weights, taps, 0, bytes), bytes);
      if (done < bytes) {
        // The last channels (C mod 4) in scalar code.
        for (let c = vectorChannels; c < channels; c++) {
          let s = 0;
          for (let t = 0; t < taps; t++) s += weights[t] * f32[(featPtr >> 2) + offsets[t] + c];
          f32[(outPtr >> 2) + o + c] = s;
        }
      }
    },
    finish: () => f32.slice(outPtr >> 2, (outPtr >> 2) + outLength),
  };
}

/**
 * Kernel for RoI Align's backward pass: `gradOutput` (`[K, outH, outW, C]`) → input gradient of
 * `inLength` elements (`[B,H,W,C]`).
 */
export function scatterKernel(gradOutput: Float32Array, inLength: number, channels: number, implementation?: ChannelImplementation): TapKernel {
  const simd = resolve(implementation);
  if (!simd) {
    const gradInput = new Float32Array(inLength);
    return { run: (o, taps, offsets, weights) => scatterScalar(gradOutput, gradInput, o, channels, taps, offsets, weights), finish: () => gradInput };
  }
  const layout = new Layout();
  const gradInPtr = layout.take(4 * inLength);
  const gradOutPtr = layout.take(4 * gradOutput.length);
  const area = new TapArea(simd, layout.top);
  area.ensure(64);
  let f32 = new Float32Array(simd.memory.buffer);
  let i32 = new Int32Array(simd.memory.buffer);
  f32.fill(0, gradInPtr >> 2, (gradInPtr >> 2) + inLength);
  f32.set(gradOutput, gradOutPtr >> 2);
  const bytes = 4 * channels;
  const vectorChannels = channels & ~3;
  return {
    run(o, taps, offsets, weights) {
      if (area.ensure(taps)) {
        f32 = new Float32Array(simd.memory.buffer);
        i32 = new Int32Array(simd.memory.buffer);
      }
      const oi = area.offsets >> 2, wi = area.weights >> 2;
      for (let t = 0; t < taps; t++) {
        i32[oi + t] = gradInPtr + 4 * offsets[t];
        f32[wi + t] = weights[t];
      }
      const gByte = gradOutPtr + 4 * o;
      const done = simd.scatter4(gByte, area.offsets, area.weights, taps, simd.scatter16(gByte, area.offsets, area.weights, taps, 0, bytes), bytes);
      if (done < bytes) {
        for (let t = 0; t < taps; t++) {
          const p = (gradInPtr >> 2) + offsets[t];
          for (let c = vectorChannels; c < channels; c++) f32[p + c] += weights[t] * f32[(gradOutPtr >> 2) + o + c];
        }
      }
    },
    finish: () => f32.slice(gradInPtr >> 2, (gradInPtr >> 2) + inLength),
  };
}

/**
 * Kernel for RoI Pool's forward pass: `features: Float32Array [B,H,W,C]` → output of `outLength`
 * elements, and with `withArgmax` the argmax of each (else `finish()` gives an empty argmax).
 */
export function maxKernel(features: Float32Array, outLength: number, channels: number, withArgmax: boolean, implementation?: ChannelImplementation): MaxKernel {
  const simd = resolve(implementation);
  if (!simd) {
    const output = new Float32Array(outLength);
    const argmax = new Int32Array(withArgmax ? outLength : 0);
    return { run: (o, count, cells) => maxScalar(features, output, withArgmax ? argmax : undefined, o, channels, count, cells), finish: () => ({ output, argmax }) };
  }
  const layout = new Layout();
  const featPtr = layout.take(4 * features.length);
  const outPtr = layout.take(4 * outLength);
  const argPtr = layout.take(withArgmax ? 4 * outLength : 0);
  const area = new TapArea(simd, layout.top);
  area.ensure(64);
  let f32 = new Float32Array(simd.memory.buffer);
  let i32 = new Int32Array(simd.memory.buffer);
  f32.set(features, featPtr >> 2);
    return {
    run(o, count, cells) {
      if (area.ensure(count)) {
        f32 = new Float32Array(simd.memory.buffer);
        i32 = new Int32Array(simd.memory.buffer);
      }
      const ci = area.offsets >> 2;
      for (let t = 0; t < count; t++) i32[ci + t] = cells[t];
      const outByte = outPtr + 4 * o, argByte = argPtr + 4 * o;
      const done = withArgmax
        ? simd.argmax4(outByte, argByte, area.offsets, count, featPtr, simd.argmax16(outByte, argByte, area.offsets, count, featPtr, 0, channels), channels)
        : simd.max4(outByte, area.offsets, count, featPtr, simd.max16(outByte, area.offsets, count, featPtr, 0, channels), channels);
      // The last channels (C mod 4) in scalar code.
      for (let c = done; c < channels; c++) {
        let best = LOWEST_FLOAT32, at = -1;
        for (let t = 0; t < count; t++) {
          const v = f32[(featPtr >> 2) + cells[t] + c];
          if (v > best) { best = v; at = cells[t] + c; }
        }
        f32[(outPtr >> 2) + o + c] = best;
        if (withArgmax) i32[(argPtr >> 2) + o + c] = at;
      }
      if (count === 0) f32.fill(0, (outPtr >> 2) + o, (outPtr >> 2) + o + channels); // empty bin
    },
    finish: () => ({
      output: f32.slice(outPtr >> 2, (outPtr >> 2) + outLength),
      argmax: withArgmax ? i32.slice(argPtr >> 2, (argPtr >> 2) + outLength) : new Int32Array(0),
    }),
  };
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
