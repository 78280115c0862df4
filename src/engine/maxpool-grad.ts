import { I32, V128, encodeModule, op, stepLoop, v128, type WasmFunction } from '../ops/wasm-encoder.js';
import { instantiateOnMemory, perHeapMemory } from './heap-module.js';
import type { HeapBackend } from './heap-backend.js';

/**
 * The gradient of a 2×2 stride-2 max-pool tiling the image exactly (U-Net's pools) on the wasm
 * backend's heap by a runtime-built WebAssembly SIMD kernel, 4 channels per instruction. The rule is
 * the kernel pack's loop (`kernels-maxpool-grad.ts`, the cpu backend's): each window's dy goes to its first strictly
 * largest input in row-major order starting from −∞ (a NaN never wins; a window with no value above
 * −∞ passes nothing on); every other input gets +0. Per lane, with masks gᵢ:
 * g₀ = x₀₀ > −∞, best = x₀₀ where g₀; g₁ = x₀₁ > best, …; g₃ = x₁₁ > best; the winner is the last i
 * with gᵢ, and dx = (dy where winner) + 0 (so that −0 becomes +0, as `0 + dy` does in the loop).
 */

/**
 * x [rows·2, W, C] (W = 2·wo), dy [rows, wo, C] → dx [rows·2, W, C], C a multiple of 4; `cBytes` = 4·C,
 * `rowBytes` = 4·W·C; addresses in bytes.
 */
export type MaxPoolGrad2x2 = (x: number, dy: number, dx: number, rows: number, wo: number, cBytes: number, rowBytes: number) => void;

const { block, loop, end, br, brIf, localGet: get, localSet: set, i32Const, i32Add } = op;
const i32Mul = [0x6c];
const f32x4Gt = op.simd(0x44);
const v128Or = op.simd(0x50);
const v128AndNot = op.simd(0x4f);

function negativeInfinity(): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) view.setFloat32(4 * i, Number.NEGATIVE_INFINITY, true);
  return bytes;
}

function maxPoolGradKernel(): WasmFunction {
  const X = 0, DY = 1, DX = 2, ROWS = 3, WO = 4, CBYTES = 5, ROWBYTES = 6;
  const R = 7, J = 8, K = 9, XW = 10, DXW = 11, DYW = 12;
  const A = [13, 14, 15, 16]; // x00, x01, x10, x11
  const G = [17, 18, 19, 20];
  const BEST = 21, D = 22;
  const corner = (i: number, base: number) => [...get(base), ...get(K), ...i32Add, ...(i & 1 ? [...get(CBYTES), ...i32Add] : []), ...(i & 2 ? [...get(ROWBYTES), ...i32Add] : [])];
  const cmpNext = (i: number) => [
    ...get(A[i]), ...get(BEST), ...f32x4Gt, ...set(G[i]),
    ...(i < 3 ? [...get(A[i]), ...get(BEST), ...get(G[i]), ...v128.bitselect, ...set(BEST)] : []),
  ];
  // winner masks: w3 = g3; w2 = g2 & ~g3; w1 = g1 & ~(g2 | g3); w0 = g0 & ~(g1 | g2 | g3)
  const later = (i: number) => {
    const parts: number[] = [...get(G[3])];
    for (let m = 2; m > i; m--) parts.push(...get(G[m]), ...v128Or);
    return parts;
  };
  const store = (i: number) => [
    ...corner(i, DXW),
    ...get(D), ...get(G[i]), ...v128.and, ...(i < 3 ? [...later(i), ...v128AndNot] : []),
    ...v128.const(new Uint8Array(16)), ...v128.f32x4Add,
    ...v128.store(0),
  ];
  const body = [
    ...i32Const(0), ...set(R),
    ...block, ...loop,
    ...get(R), ...get(ROWS), ...op.i32GeS, ...brIf(1),
    // xw = x + 2·r·rowBytes; dxw likewise; dyw = dy + r·wo·cBytes
    ...get(X), ...get(R), ...get(ROWBYTES), ...i32Mul, ...i32Const(2), ...i32Mul, ...i32Add, ...set(XW),
    ...get(DX), ...get(R), ...get(ROWBYTES), ...i32Mul, ...i32Const(2), ...i32Mul, ...i32Add, ...set(DXW),
    ...get(DY), ...get(R), ...get(WO), ...i32Mul, ...get(CBYTES), ...i32Mul, ...i32Add, ...set(DYW),
    ...i32Const(0), ...set(J),
    ...block, ...loop,
    ...get(J), ...get(WO), ...op.i32GeS, ...brIf(1),
    ...i32Const(0), ...set(K),
    ...stepLoop(K, CBYTES, 16, [
      ...A.flatMap((a, i) => [...corner(i, XW), ...v128.load(0), ...set(a)]),
      ...get(DYW), ...get(K), ...i32Add, ...v128.load(0), ...set(D),
      ...v128.const(negativeInfinity()), ...set(BEST),
      ...cmpNext(0), ...cmpNext(1), ...cmpNext(2), ...cmpNext(3),
      ...store(0), ...store(1), ...store(2), ...store(3),
    ]),
    ...get(XW), ...get(CBYTES), ...i32Const(2), ...i32Mul, ...i32Add, ...set(XW),
    ...get(DXW), ...get(CBYTES), ...i32Const(2), ...i32Mul, ...i32Add, ...set(DXW),
    ...get(DYW), ...get(CBYTES), ...i32Add, ...set(DYW),
    ...get(J), ...i32Const(1), ...i32Add, ...set(J),
    ...br(0),
    ...end, ...end,
    ...get(R), ...i32Const(1), ...i32Add, ...set(R),
    ...br(0),
    ...end, ...end,
  ];
  return {
    name: 'maxpool_grad_2x2',
    params: [I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, I32, I32, I32, I32, ...Array.from({ length: 10 }, () => V128)],
    body,
  };
}

/** The module's bytes: `maxpool_grad_2x2` (see {@link MaxPoolGrad2x2}), importing `env.memory`. */
export function maxPoolGradModuleBytes(): Uint8Array<ArrayBuffer> {
  return encodeModule([maxPoolGradKernel()]);
}

/** The 2×2 max-pool gradient kernel on the backend's heap, or undefined where it cannot be built. */
export const heapMaxPoolGrad2x2: (backend: HeapBackend) => MaxPoolGrad2x2 | undefined = perHeapMemory(
  (memory) => instantiateOnMemory(maxPoolGradModuleBytes(), memory).exports.maxpool_grad_2x2 as MaxPoolGrad2x2,
);
