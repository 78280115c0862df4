import { I32, V128, encodeModule, op, stepLoop, v128, type WasmFunction } from '../ops/wasm-encoder.js';
import { instantiateOnMemory, perHeapMemory } from './heap-module.js';
import type { HeapBackend } from './heap-backend.js';

/**
 * ReLU and its gradient on the wasm backend's heap by runtime-built WebAssembly SIMD kernels, one pass
 * each, on the calling thread:
 *
 * - `relu`: y = max(x, +0) with IEEE maximum semantics (`f32x4.max`): −0 → +0, NaN stays NaN — the cpu
 *   and wasm backends' `Relu` values.
 * - `relu_grad`: dx = dy · step(x), step(x) = 1 where x > 0, NaN where x is NaN, else 0 — the very
 *   product of tfjs-core's ReLU gradient `mul(dy, cast(step(x), 'float32'))`, in one kernel instead of
 *   three (`Step`, `Cast`, `Multiply`).
 */

/** y[i] = max(x[i], +0) for i < n; addresses in bytes. */
export type ReluKernel = (x: number, y: number, n: number) => void;
/** dx[i] = dy[i] · step(x[i]) for i < n; addresses in bytes. */
export type ReluGradKernel = (dy: number, x: number, dx: number, n: number) => void;

const { end, localGet: get, localSet: set, i32Const, i32Add } = op;
const i32Shl = [0x74];
const f32x4Max = op.simd(0xe9);
const f32x4Gt = op.simd(0x44);
const f32x4Ne = op.simd(0x42);

function splat(value: number): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) view.setFloat32(4 * i, value, true);
  return bytes;
}

/** The SIMD value of step(x) for x in local `xLocal` (1, 0 or NaN per lane). */
function stepOf(xLocal: number): number[] {
  return [
    ...v128.const(splat(1)), ...v128.const(splat(0)), ...get(xLocal), ...v128.const(splat(0)), ...f32x4Gt, ...v128.bitselect,
  ];
}

function reluKernel(): WasmFunction {
  const X = 0, Y = 1, N = 2;
  const O = 3, END = 4;
  const at = (base: number) => [...get(base), ...get(O), ...i32Add];
  return {
    name: 'relu',
    params: [I32, I32, I32],
    results: [],
    locals: [I32, I32],
    body: [
      ...i32Const(0), ...set(O),
      ...get(N), ...i32Const(2), ...i32Shl, ...set(END),
      ...stepLoop(O, END, 16, [...at(Y), ...at(X), ...v128.load(0), ...v128.const(splat(0)), ...f32x4Max, ...v128.store(0)]),
      // the last 0–3 values: a 4-lane step would run past the end, so one value at a time
      ...stepLoop(O, END, 4, [...at(Y), ...at(X), ...op.f32Load(0), ...op.simd(0x13) /* f32x4.splat */, ...v128.const(splat(0)), ...f32x4Max, ...op.simd(0x1f, 0) /* f32x4.extract_lane 0 */, ...[0x38, 2, 0] /* f32.store */]),
    ],
  };
}

function reluGradKernel(): WasmFunction {
  const DY = 0, X = 1, DX = 2, N = 3;
  const O = 4, END = 5, XV = 6, M = 7;
  const at = (base: number) => [...get(base), ...get(O), ...i32Add];
  // m = x > 0 ? 1 : 0, then NaN where x is NaN (x ≠ x): m = bitselect(x, m, x ≠ x); dx = dy · m
  const lanes = (load: number[], store: number[], extract: number[]) => [
    ...load, ...set(XV),
    ...stepOf(XV), ...set(M),
    ...get(XV), ...get(M), ...get(XV), ...get(XV), ...f32x4Ne, ...v128.bitselect, ...set(M),
    ...at(DX),
    ...(extract.length ? [...at(DY), ...op.f32Load(0), ...op.simd(0x13)] : [...at(DY), ...v128.load(0)]),
    ...get(M), ...v128.f32x4Mul, ...extract, ...store,
  ];
  return {
    name: 'relu_grad',
    params: [I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, V128, V128],
    body: [
      ...i32Const(0), ...set(O),
      ...get(N), ...i32Const(2), ...i32Shl, ...set(END),
      ...stepLoop(O, END, 16, lanes([...at(X), ...v128.load(0)], v128.store(0), [])),
      ...stepLoop(O, END, 4, lanes([...at(X), ...op.f32Load(0), ...op.simd(0x13)], [0x38, 2, 0], op.simd(0x1f, 0))),
    ],
  };
}

/** The module's bytes: `relu` and `relu_grad`, importing `env.memory`. */
export function reluModuleBytes(): Uint8Array<ArrayBuffer> {
  return encodeModule([reluKernel(), reluGradKernel()]);
}

/** The ReLU kernels on the backend's heap, or undefined where they cannot be built. */
export const heapRelu: (backend: HeapBackend) => { relu: ReluKernel; reluGrad: ReluGradKernel } | undefined = perHeapMemory((memory) => {
  const e = instantiateOnMemory(reluModuleBytes(), memory).exports;
  return { relu: e.relu as ReluKernel, reluGrad: e.relu_grad as ReluGradKernel };
});

/** Name of the wasm kernel of the ReLU gradient (registered by the kernel pack). */
export const RELU_GRAD_KERNEL = 'DetsegReluGrad';
