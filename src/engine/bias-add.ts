import { I32, encodeModule, op, stepLoop, v128, type WasmFunction } from '../ops/wasm-encoder.js';
import { instantiateOnMemory, perHeapMemory } from './heap-module.js';
import type { HeapBackend } from './heap-backend.js';

/**
 * The bias add of a convolution, x [..., C] + b [C], on the wasm backend's heap by a runtime-built
 * WebAssembly SIMD kernel (4 channels per instruction). Upstream's `Add` goes through its generic
 * broadcasting loop for this shape, ~9× slower than an add of two tensors of the same shape.
 * The sums are the same float32 additions, so the result is bit for bit upstream's.
 */

/**
 * out[r·C + k] = x[r·C + k] + b[k] for r < rows, k < C, with `cBytes` = 4·C; addresses in bytes.
 */
export type AddRows = (x: number, b: number, out: number, rows: number, cBytes: number) => void;

const { block, loop, end, brIf, localGet: get, localSet: set, i32Const, i32Add } = op;
const i32Sub = [0x6b];
const i32Eqz = [0x45];
const f32Store = [0x38, 2, 0];
const f32Add = [0x92];

function addRowsKernel(): WasmFunction {
  const X = 0, B = 1, OUT = 2, ROWS = 3, CBYTES = 4;
  const O = 5;
  const at = (base: number) => [...get(base), ...get(O), ...i32Add];
  const chunk = (step: number, copy: number[]) => stepLoop(O, CBYTES, step, copy);
  const body = [
    ...block,
    ...get(ROWS), ...i32Eqz, ...brIf(0),
    ...loop,
    ...i32Const(0), ...set(O),
    ...chunk(16, [...at(OUT), ...at(X), ...v128.load(0), ...at(B), ...v128.load(0), ...v128.f32x4Add, ...v128.store(0)]),
    ...chunk(4, [...at(OUT), ...at(X), ...op.f32Load(0), ...at(B), ...op.f32Load(0), ...f32Add, ...f32Store]),
    ...get(X), ...get(CBYTES), ...i32Add, ...set(X),
    ...get(OUT), ...get(CBYTES), ...i32Add, ...set(OUT),
    ...get(ROWS), ...i32Const(1), ...i32Sub, ...set(ROWS),
    ...get(ROWS), ...brIf(0),
    ...end,
    ...end,
  ];
  return { name: 'add_rows', params: [I32, I32, I32, I32, I32], results: [], locals: [I32], body };
}

/** The module's bytes: `add_rows` (see {@link AddRows}), importing `env.memory`. */
export function biasAddModuleBytes(): Uint8Array<ArrayBuffer> {
  return encodeModule([addRowsKernel()]);
}

/** The bias-add kernel on the backend's heap, or undefined where it cannot be built. */
export const heapBiasAdd: (backend: HeapBackend) => AddRows | undefined = perHeapMemory(
  (memory) => instantiateOnMemory(biasAddModuleBytes(), memory).exports.add_rows as AddRows,
);
