import { I32, V128, encodeModule, op, stepLoop, v128, type WasmFunction } from './wasm-encoder.js';

/**
 * WebAssembly SIMD kernels for the channel loops of RoI Align and RoI Pool on NHWC maps, where the
 * channels of one cell are contiguous: a weighted sum over a list of cells (gather), its transpose
 * (scatter-add), and a max with or without argmax. Each works on 4 float32 channels per instruction.
 * The kernels read and write one shared WebAssembly memory ({@link SimdKernels.memory}); callers copy
 * their arrays in, lay out tap lists there and call with byte addresses. Built once, at first use, by
 * {@link simdKernels}; where WebAssembly SIMD is missing it returns undefined and callers fall back to
 * their scalar loops.
 *
 * Tap lists of gather/scatter are records of 8 bytes: an Int32 byte address (of the tap's channel 0)
 * and its float32 weight. Cell lists of max/argmax are Int32 element indices (of each cell's channel 0)
 * into the float32 array at byte address `features`, in increasing order.
 */
export interface SimdKernels {
  /** The memory the kernels address (grown by {@link SimdKernels.reserve}). */
  readonly memory: WebAssembly.Memory;
  /**
   * Makes the memory at least `bytes` long. Growing detaches the previous `memory.buffer`, so views
   * must be made again after a call.
   */
  reserve(bytes: number): void;
  /**
   * out[c] = Σ_t weight_t · mem[address_t + c] over float32 channels, for byte offsets `c` in
   * [begin, end) — in steps of 64 bytes (16 channels), then of 16 — with `taps` records at byte address
   * `list`. Returns the first byte offset not done (the last `(end − begin) mod 16` bytes are left).
   */
  gather(out: number, list: number, taps: number, begin: number, end: number): number;
  /** mem[address_t + c] += weight_t · gradOut[c] for every tap t, byte offsets c in [begin, end) as in gather. */
  scatter(gradOut: number, list: number, taps: number, begin: number, end: number): number;
  /**
   * For channels c in [begin, end) (channel indices, not bytes) — in steps of 24, then 16, then 4 —
   * out[c] = max over cells t of features[cells[t] + c], starting from −FLT_MAX and taking a value
   * only when strictly greater (NaN never wins, ties keep the first cell), and arg[c] = the element
   * index cells[t] + c of that maximum, or −1. Cells must come in increasing order. Returns the first
   * channel not done (the last `(end − begin) mod 4` are left).
   */
  argmax(out: number, arg: number, cells: number, count: number, features: number, begin: number, end: number): number;
  /** {@link SimdKernels.argmax} without the argmax: only out[c], the maxima (any cell order). */
  max(out: number, cells: number, count: number, features: number, begin: number, end: number): number;
}

const { block, loop, end, br, brIf, localGet: get, localSet: set, i32Const, i32Load, f32Load, i32Add, i32Shl, i32GeU } = op;

function splatBytes(value: number, kind: 'f32' | 'i32'): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) kind === 'f32' ? view.setFloat32(4 * i, value, true) : view.setInt32(4 * i, value, true);
  return bytes;
}

function iotaBytes(start: number): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) view.setInt32(4 * i, start + i, true);
  return bytes;
}

/**
 * `c = begin`, then for each step in turn `for (; c + step <= end; c += step) { body }`; returns c.
 * Steps go from the widest down (e.g. 24, 16, 4 channels), so a range is done with as few passes
 * over the cell list as possible.
 */
function channelLoops(c: number, beginParam: number, endParam: number, steps: Array<{ step: number; body: number[] }>): number[] {
  return [
    ...get(beginParam), ...set(c),
    ...steps.flatMap(({ step, body }) => stepLoop(c, endParam, step, body)),
    ...get(c),
  ];
}

/** `for (p = list; p < listEnd; p += stride) { body }` (listEnd set by the caller). */
function listLoop(p: number, listParam: number, listEnd: number, stride: number, body: number[]): number[] {
  return [
    ...get(listParam), ...set(p),
    ...block, ...loop,
    ...get(p), ...get(listEnd), ...i32GeU, ...brIf(1),
    ...body,
    ...get(p), ...i32Const(stride), ...i32Add, ...set(p),
    ...br(0),
    ...end, ...end,
  ];
}

/** `listEnd = list + (count << log2Stride)`. */
function setListEnd(listEnd: number, listParam: number, countParam: number, log2Stride: number): number[] {
  return [...get(listParam), ...get(countParam), ...i32Const(log2Stride), ...i32Shl, ...i32Add, ...set(listEnd)];
}

/**
 * Channel steps, in blocks of 4 lanes: max/argmax go 24, 16, then 4 channels at a time (the widest
 * step keeps 12 running maxima and indices in vector registers), gather/scatter 16 then 4.
 */
const MAX_STEPS = [6, 4, 1];
const SUM_STEPS = [4, 1];

function gather(name: string, steps: number[]): WasmFunction {
  // params: 0 out, 1 list, 2 taps, 3 begin, 4 end; locals: 5 c, 6 tp, 7 listEnd, 8 p, 9 w, 10.. acc
  const [out, list, taps, begin, stop, c, tp, listEnd, p, w] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const acc = (k: number) => 10 + k;
  const zero = v128.const(new Uint8Array(16));
  const body = (blocks: number) => {
    const ks = Array.from({ length: blocks }, (_, k) => k);
    return [
      ...ks.flatMap((k) => [...zero, ...set(acc(k))]),
      ...listLoop(tp, list, listEnd, 8, [
        ...get(tp), ...i32Load, ...get(c), ...i32Add, ...set(p),
        ...get(tp), ...f32Load(4), ...v128.f32x4Splat, ...set(w),
        ...ks.flatMap((k) => [...get(acc(k)), ...get(p), ...v128.load(16 * k), ...get(w), ...v128.f32x4Mul, ...v128.f32x4Add, ...set(acc(k))]),
      ]),
      ...ks.flatMap((k) => [...get(out), ...get(c), ...i32Add, ...get(acc(k)), ...v128.store(16 * k)]),
    ];
  };
  return {
    name, params: [I32, I32, I32, I32, I32], results: [I32], locals: [I32, I32, I32, I32, V128, ...Array.from({ length: steps[0] }, () => V128)],
    body: [...setListEnd(listEnd, list, taps, 3), ...channelLoops(c, begin, stop, steps.map((blocks) => ({ step: 16 * blocks, body: body(blocks) })))],
  };
}

function scatter(name: string, steps: number[]): WasmFunction {
  // params: 0 gradOut, 1 list, 2 taps, 3 begin, 4 end; locals: 5 c, 6 tp, 7 listEnd, 8 p, 9 w, 10.. g
  const [gradOut, list, taps, begin, stop, c, tp, listEnd, p, w] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const g = (k: number) => 10 + k;
  const body = (blocks: number) => {
    const ks = Array.from({ length: blocks }, (_, k) => k);
    return [
      ...ks.flatMap((k) => [...get(gradOut), ...get(c), ...i32Add, ...v128.load(16 * k), ...set(g(k))]),
      ...listLoop(tp, list, listEnd, 8, [
        ...get(tp), ...i32Load, ...get(c), ...i32Add, ...set(p),
        ...get(tp), ...f32Load(4), ...v128.f32x4Splat, ...set(w),
        ...ks.flatMap((k) => [...get(p), ...get(p), ...v128.load(16 * k), ...get(g(k)), ...get(w), ...v128.f32x4Mul, ...v128.f32x4Add, ...v128.store(16 * k)]),
      ]),
    ];
  };
  return {
    name, params: [I32, I32, I32, I32, I32], results: [I32], locals: [I32, I32, I32, I32, V128, ...Array.from({ length: steps[0] }, () => V128)],
    body: [...setListEnd(listEnd, list, taps, 3), ...channelLoops(c, begin, stop, steps.map((blocks) => ({ step: 16 * blocks, body: body(blocks) })))],
  };
}

function argmax(name: string, steps: number[]): WasmFunction {
  // params: 0 out, 1 arg, 2 cells, 3 count, 4 features, 5 begin, 6 end;
  // locals: 7 c, 8 tp, 9 listEnd, 10 e, 11 v, 12 gt, 13 ev, then m for each block, then idx for each
  const [out, arg, cells, count, features, begin, stop, c, tp, listEnd, e, v, gt, ev] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const widest = steps[0];
  const m = (k: number) => 14 + k;
  const idx = (k: number) => 14 + widest + k;
  const zero = v128.const(new Uint8Array(16));
  // idx holds 1 + the flat index of the winning cell's channel c (the same in the 4 lanes), 0 for none.
  // Cells come in increasing order, so a new winner always has a larger index than the one it
  // replaces: idx = max(idx, gt ? e + 1 : 0) updates it with an and and a max. At the end the lane
  // offsets are added, and lanes never won give −1.
  const body = (blocks: number) => {
    const ks = Array.from({ length: blocks }, (_, k) => k);
    return [
      ...ks.flatMap((k) => [...v128.const(splatBytes(-3.4028234663852886e38, 'f32')), ...set(m(k)), ...zero, ...set(idx(k))]),
      ...listLoop(tp, cells, listEnd, 4, [
        ...get(tp), ...i32Load, ...get(c), ...i32Add, ...set(e),
        ...get(e), ...i32Const(1), ...i32Add, ...v128.i32x4Splat, ...set(ev),
        ...get(features), ...get(e), ...i32Const(2), ...i32Shl, ...i32Add, ...set(e), // e = byte address of features[e]
        ...ks.flatMap((k) => [
          ...get(e), ...v128.load(16 * k), ...set(v),
          // gt = m < v (torchvision's `v > max`, false for NaN); m = pmax(m, v) = m < v ? v : m
          ...get(m(k)), ...get(v), ...v128.f32x4Lt, ...set(gt),
          ...get(m(k)), ...get(v), ...v128.f32x4Pmax, ...set(m(k)),
          ...get(idx(k)), ...get(ev), ...get(gt), ...v128.and, ...v128.i32x4MaxS, ...set(idx(k)),
        ]),
      ]),
      ...ks.flatMap((k) => [
        ...get(out), ...get(c), ...i32Const(2), ...i32Shl, ...i32Add, ...get(m(k)), ...v128.store(16 * k),
        // arg = idx == 0 ? −1 : idx − 1 + lane
        ...get(arg), ...get(c), ...i32Const(2), ...i32Shl, ...i32Add,
        ...get(idx(k)), ...v128.const(iotaBytes(4 * k - 1)), ...v128.i32x4Add,
        ...v128.const(splatBytes(-1, 'i32')),
        ...get(idx(k)), ...zero, ...v128.i32x4Eq, ...v128.not,
        ...v128.bitselect, ...v128.store(16 * k),
      ]),
    ];
  };
  return {
    name, params: [I32, I32, I32, I32, I32, I32, I32], results: [I32], locals: [I32, I32, I32, I32, V128, V128, V128, ...Array.from({ length: 2 * widest }, () => V128)],
    body: [...setListEnd(listEnd, cells, count, 2), ...channelLoops(c, begin, stop, steps.map((blocks) => ({ step: 4 * blocks, body: body(blocks) })))],
  };
}

function max(name: string, steps: number[]): WasmFunction {
  // params: 0 out, 1 cells, 2 count, 3 features, 4 begin, 5 end; locals: 6 c, 7 tp, 8 listEnd, 9 e, then per block m
  const [out, cells, count, features, begin, stop, c, tp, listEnd, e] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const m = (k: number) => 10 + k;
  const body = (blocks: number) => {
    const ks = Array.from({ length: blocks }, (_, k) => k);
    return [
      ...ks.flatMap((k) => [...v128.const(splatBytes(-3.4028234663852886e38, 'f32')), ...set(m(k))]),
      ...listLoop(tp, cells, listEnd, 4, [
        ...get(tp), ...i32Load, ...get(c), ...i32Add, ...i32Const(2), ...i32Shl, ...get(features), ...i32Add, ...set(e), // byte address of features[cell + c]
        // m = pmax(m, v) = m < v ? v : m: torchvision's `if (v > max) max = v`, NaN never taken
        ...ks.flatMap((k) => [...get(m(k)), ...get(e), ...v128.load(16 * k), ...v128.f32x4Pmax, ...set(m(k))]),
      ]),
      ...ks.flatMap((k) => [...get(out), ...get(c), ...i32Const(2), ...i32Shl, ...i32Add, ...get(m(k)), ...v128.store(16 * k)]),
    ];
  };
  return {
    name, params: [I32, I32, I32, I32, I32, I32], results: [I32], locals: [I32, I32, I32, I32, ...Array.from({ length: steps[0] }, () => V128)],
    body: [...setListEnd(listEnd, cells, count, 2), ...channelLoops(c, begin, stop, steps.map((blocks) => ({ step: 4 * blocks, body: body(blocks) })))],
  };
}

let cached: SimdKernels | null | undefined;

/** The SIMD kernels, built at first call; undefined where WebAssembly SIMD is unavailable. */
export function simdKernels(): SimdKernels | undefined {
  if (cached !== undefined) return cached ?? undefined;
  try {
    const bytes = encodeModule([gather('gather', SUM_STEPS), scatter('scatter', SUM_STEPS), argmax('argmax', MAX_STEPS), max('max', MAX_STEPS)]);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    const e = instance.exports as unknown as Omit<SimdKernels, 'memory' | 'reserve'>;
    cached = {
      memory,
      reserve(size: number) {
        const missing = size - memory.buffer.byteLength;
        if (missing > 0) memory.grow(Math.ceil(missing / 65536));
      },
      gather: e.gather, scatter: e.scatter, argmax: e.argmax, max: e.max,
    };
  } catch {
    cached = null;
  }
  return cached ?? undefined;
}
