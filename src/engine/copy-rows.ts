import { I32, encodeModule, op, stepLoop, v128, type WasmFunction } from '../ops/wasm-encoder.js';
import { instantiateOnMemory, perHeapMemory } from './heap-module.js';
import type { HeapBackend } from './heap-backend.js';

/**
 * Strided row copies on the wasm backend's heap by a runtime-built WebAssembly SIMD kernel (16 bytes
 * per instruction): the data movement of the channel `Concat` and `SplitV` of U-Net's skip
 * connections, where each pixel's channels form one short row (16–64 floats) of a larger row.
 */

/**
 * Copies `rows` rows of `bytes` bytes (a multiple of 4): row r from byte address src + r·srcStride to
 * dst + r·dstStride. The rows must not overlap.
 */
export type CopyRows = (src: number, srcStride: number, dst: number, dstStride: number, rows: number, bytes: number) => void;

const { block, loop, end, brIf, localGet: get, localSet: set, i32Const, i32Add } = op;
const i32Sub = [0x6b];
const i32Eqz = [0x45];
const i32Load = [0x28, 2, 0];
const i32Store = [0x36, 2, 0];

/** `for (; o + step ≤ limit; o += step) copy step bytes` with `copy` given the two addresses on the stack. */
function chunkLoop(o: number, limit: number, dst: number, src: number, step: number, copy: (dstAt: number[], srcAt: number[]) => number[]): number[] {
  const dstAt = [...get(dst), ...get(o), ...i32Add];
  const srcAt = [...get(src), ...get(o), ...i32Add];
  return stepLoop(o, limit, step, copy(dstAt, srcAt));
}

function copyRowsKernel(): WasmFunction {
  const SRC = 0, SRC_STRIDE = 1, DST = 2, DST_STRIDE = 3, ROWS = 4, BYTES = 5;
  const O = 6, LIMIT = 7;
  const v128Copy = (offsets: number[]) => (dstAt: number[], srcAt: number[]) => offsets.flatMap((k) => [...dstAt, ...srcAt, ...v128.load(k), ...v128.store(k)]);
  const wordCopy = (dstAt: number[], srcAt: number[]) => [...dstAt, ...srcAt, ...i32Load, ...i32Store];
  const body = [
    ...block,
    ...get(ROWS), ...i32Eqz, ...brIf(0),
    ...get(BYTES), ...set(LIMIT),
    ...loop,
    ...i32Const(0), ...set(O),
    ...chunkLoop(O, LIMIT, DST, SRC, 64, v128Copy([0, 16, 32, 48])),
    ...chunkLoop(O, LIMIT, DST, SRC, 16, v128Copy([0])),
    ...chunkLoop(O, LIMIT, DST, SRC, 4, wordCopy),
    ...get(SRC), ...get(SRC_STRIDE), ...i32Add, ...set(SRC),
    ...get(DST), ...get(DST_STRIDE), ...i32Add, ...set(DST),
    ...get(ROWS), ...i32Const(1), ...i32Sub, ...set(ROWS),
    ...get(ROWS), ...brIf(0),
    ...end,
    ...end,
  ];
  return { name: 'copy_rows', params: [I32, I32, I32, I32, I32, I32], results: [], locals: [I32, I32], body };
}

/** The module's bytes: `copy_rows` (see {@link CopyRows}), importing `env.memory`. */
export function copyRowsModuleBytes(): Uint8Array<ArrayBuffer> {
  return encodeModule([copyRowsKernel()]);
}

/** The row copier on the backend's heap, or undefined where it cannot be built (then copy in JS). */
export const heapRowCopier: (backend: HeapBackend) => CopyRows | undefined = perHeapMemory(
  (memory) => instantiateOnMemory(copyRowsModuleBytes(), memory).exports.copy_rows as CopyRows,
);
