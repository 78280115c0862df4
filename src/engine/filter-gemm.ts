import { I32, V128, encodeModule, op, uleb, v128, type WasmFunction } from '../ops/wasm-encoder.js';

/**
 * The filter gradient of a 2-D convolution as a direct WebAssembly SIMD product over NHWC rows,
 * without the packing XNNPACK does of its filter operand (the output gradient, up to 2 M floats per
 * U-Net layer, re-packed on every call) and without any layout change of x or dy:
 *
 *   dW[a, b, ci, co] += Σ_{j} x[n, i·sh + a − padTop, j·sw + b − padLeft, ci] · dy[n, i, j, co]
 *
 * for one output row (n, i) and one tap (a, b) at a time. The kernel {@link FilterGemmKernels.rows}
 * keeps a tile of R input channels × 4K output channels of dW in SIMD registers while it walks the
 * pixels of the row (R splatted x values times K vectors of dy per pixel), and adds it to dW in
 * memory at the end of the row. The summation order of every dW element depends only on the shapes,
 * never on the number of threads.
 */

/** Input channels per register tile of the main kernel. */
export const TILE_CI = 4;
/** Output channels per register tile of the main kernel (two f32x4 vectors). */
export const TILE_CO = 8;

/** A tile kernel: see {@link FilterGemmKernels}. */
export type TileKernel = (xp: number, dyp: number, count: number, xStep: number, dyStep: number, dwp: number, ciTiles: number, coTiles: number, dwCiStride: number) => void;
/** A list kernel: see {@link FilterGemmKernels}. */
export type ListKernel = (list: number, records: number, xStep: number, dyStep: number, dwCiStride: number, xOff: number, dyOff: number, dwOff: number, ciTiles: number, coTiles: number) => void;

/** The exported kernels of the module, addressing the memory it was instantiated with (byte addresses). */
export interface FilterGemmKernels {
  /**
   * `tile_r_k`, r ∈ 1..4 input channels, k ∈ 1..2 f32x4 vectors of output channels: for every tile
   * (t, u), t < ciTiles, u < coTiles, and ρ < r, κ < 4k:
   * dw[(t·r + ρ)·dwCiStride/4 + u·4k + κ] += Σ_{p < count} x[xp/4 + p·xStep/4 + t·r + ρ] · dy[dyp/4 + p·dyStep/4 + u·4k + κ]
   * (addresses and steps in bytes; count ≥ 1). The sum over p is formed in registers, in order of p,
   * and then added to dw.
   */
  [tile: `tile_${number}_${number}`]: TileKernel;
  /**
   * `list_r_k`: `tile_r_k` once per record of the list at byte address `list`, in list order — records
   * of four Int32: x address, dy address, pixel count, dw address (bytes) — with the byte offsets
   * `xOff`, `dyOff`, `dwOff` added to the three addresses (the channel range of one job).
   */
  [list: `list_${number}_${number}`]: ListKernel;
}

const { block, loop, end, brIf, localGet: get, localSet: set, i32Const, i32Add } = op;
const i32Sub = [0x6b];
const i32Mul = [0x6c];
const i32Ne = [0x47];
const i32LtU = [0x49];
/** v128.load32_splat: one float32 from memory in all four lanes. */
const load32Splat = (offset = 0) => op.simd(0x09, 2, ...uleb(offset));

/** The tile kernel of `r` input channels × `k` f32x4 vectors of output channels. */
function tileKernel(r: number, k: number): WasmFunction {
  // params
  const XP = 0, DYP = 1, COUNT = 2, XSTEP = 3, DYSTEP = 4, DWP = 5, CI_TILES = 6, CO_TILES = 7, DW_STRIDE = 8;
  // locals (i32)
  const T = 9, U = 10, XQ = 11, DQ = 12, WQ = 13, N = 14, ROW = 15;
  // locals (v128): accumulators acc[ρ][κ], dy vectors d[κ], splat s
  const ACC = 16;
  const D = ACC + r * k;
  const S = D + k;
  const acc = (rho: number, kappa: number) => ACC + rho * k + kappa;
  const body: number[] = [];
  // for t in [0, ciTiles)
  body.push(...i32Const(0), ...set(T), ...block, ...loop);
  {
    // for u in [0, coTiles)
    body.push(...i32Const(0), ...set(U), ...block, ...loop);
    {
      // xq = xp + t·r·4; dq = dyp + u·16k; wq = dwp + t·r·dwStride + u·16k
      body.push(...get(XP), ...get(T), ...i32Const(4 * r), ...i32Mul, ...i32Add, ...set(XQ));
      body.push(...get(DYP), ...get(U), ...i32Const(16 * k), ...i32Mul, ...i32Add, ...set(DQ));
      body.push(...get(DWP), ...get(T), ...i32Const(r), ...i32Mul, ...get(DW_STRIDE), ...i32Mul, ...i32Add, ...get(U), ...i32Const(16 * k), ...i32Mul, ...i32Add, ...set(WQ));
      // load the accumulators from dw
      for (let rho = 0; rho < r; rho++) {
        body.push(...get(WQ), ...get(DW_STRIDE), ...i32Const(rho), ...i32Mul, ...i32Add, ...set(ROW));
        for (let kappa = 0; kappa < k; kappa++) body.push(...get(ROW), ...v128.load(16 * kappa), ...set(acc(rho, kappa)));
      }
      // the pixels of the row
      body.push(...get(COUNT), ...set(N), ...loop);
      {
        for (let kappa = 0; kappa < k; kappa++) body.push(...get(DQ), ...v128.load(16 * kappa), ...set(D + kappa));
        for (let rho = 0; rho < r; rho++) {
          body.push(...get(XQ), ...load32Splat(4 * rho), ...set(S));
          for (let kappa = 0; kappa < k; kappa++) {
            body.push(...get(acc(rho, kappa)), ...get(S), ...get(D + kappa), ...v128.f32x4Mul, ...v128.f32x4Add, ...set(acc(rho, kappa)));
          }
        }
        body.push(...get(XQ), ...get(XSTEP), ...i32Add, ...set(XQ));
        body.push(...get(DQ), ...get(DYSTEP), ...i32Add, ...set(DQ));
        body.push(...get(N), ...i32Const(1), ...i32Sub, ...set(N));
        body.push(...get(N), ...i32Const(0), ...i32Ne, ...brIf(0));
      }
      body.push(...end);
      // store the accumulators
      for (let rho = 0; rho < r; rho++) {
        body.push(...get(WQ), ...get(DW_STRIDE), ...i32Const(rho), ...i32Mul, ...i32Add, ...set(ROW));
        for (let kappa = 0; kappa < k; kappa++) body.push(...get(ROW), ...get(acc(rho, kappa)), ...v128.store(16 * kappa));
      }
      body.push(...get(U), ...i32Const(1), ...i32Add, ...set(U));
      body.push(...get(U), ...get(CO_TILES), ...i32LtU, ...brIf(0));
    }
    body.push(...end, ...end);
    body.push(...get(T), ...i32Const(1), ...i32Add, ...set(T));
    body.push(...get(T), ...get(CI_TILES), ...i32LtU, ...brIf(0));
  }
  body.push(...end, ...end);
  return {
    name: `tile_${r}_${k}`,
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, I32, I32, I32, I32, I32, ...Array.from({ length: r * k + k + 1 }, () => V128)],
    body,
  };
}

/** The list kernel `list_r_k` (see {@link FilterGemmKernels}), calling function `tileIndex`. */
function listKernel(r: number, k: number, tileIndex: number): WasmFunction {
  const LIST = 0, RECORDS = 1, XSTEP = 2, DYSTEP = 3, DW_STRIDE = 4, XOFF = 5, DYOFF = 6, DWOFF = 7, CI_TILES = 8, CO_TILES = 9;
  const AT = 10, LAST = 11;
  const i32LoadAt = (offset: number) => [0x28, 2, ...uleb(offset)];
  const call = (index: number) => [0x10, ...uleb(index)];
  const body: number[] = [
    // last = list + 16·records; if (records == 0) return
    ...get(LIST), ...get(RECORDS), ...i32Const(16), ...i32Mul, ...i32Add, ...set(LAST),
    ...get(LIST), ...set(AT),
    ...block,
    ...get(RECORDS), ...i32Const(0), ...[0x46] /* i32.eq */, ...brIf(0),
    ...loop,
    ...get(AT), ...i32LoadAt(0), ...get(XOFF), ...i32Add,
    ...get(AT), ...i32LoadAt(4), ...get(DYOFF), ...i32Add,
    ...get(AT), ...i32LoadAt(8),
    ...get(XSTEP), ...get(DYSTEP),
    ...get(AT), ...i32LoadAt(12), ...get(DWOFF), ...i32Add,
    ...get(CI_TILES), ...get(CO_TILES), ...get(DW_STRIDE),
    ...call(tileIndex),
    ...get(AT), ...i32Const(16), ...i32Add, ...set(AT),
    ...get(AT), ...get(LAST), ...i32LtU, ...brIf(0),
    ...end,
    ...end,
  ];
  return { name: `list_${r}_${k}`, params: Array.from({ length: 10 }, () => I32), results: [], locals: [I32, I32], body };
}

/** The bytes of the module: every `tile_r_k` and `list_r_k`, r ∈ 1..4, k ∈ 1..2, importing `env.memory`. */
export function filterGemmModuleBytes(): Uint8Array<ArrayBuffer> {
  const tiles: WasmFunction[] = [];
  const lists: WasmFunction[] = [];
  for (let r = 1; r <= TILE_CI; r++) {
    for (let k = 1; k <= TILE_CO / 4; k++) {
      lists.push(listKernel(r, k, tiles.length));
      tiles.push(tileKernel(r, k));
    }
  }
  return encodeModule([...tiles, ...lists]);
}
