import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { filterGemmModuleBytes, TILE_CI, TILE_CO, type FilterGemmKernels, type ListKernel } from './filter-gemm.js';
import { instantiateOnMemory, isShared, perHeapMemory } from './heap-module.js';
import { GemmThreads, type GemmJob } from './filter-gemm-threads.js';
import type { HeapBackend } from './heap-backend.js';

/**
 * `Conv2DBackpropFilter` on the wasm heap by the direct SIMD kernels of `filter-gemm.ts`, on the
 * engine's threads (`filter-gemm-threads.ts`): no layout change of x or dy and no packing of either
 * (XNNPACK, used by the composed kernel of `kernels-conv-filter.ts`, packs its filter operand — here the output
 * gradient or x, up to 2 M floats — on every call, on one thread).
 *
 * The work is a list of records, one per (image n, output row i, tap a, b) whose input row lies inside
 * the image: the pixels j of the row whose input column j·sw + b − padLeft lies inside the image (x is
 * zero outside it). Jobs split the channels of dW; every dW element is the sum over the records in
 * order (n, i, a, b), each record's pixels summed in registers first, whatever the thread count.
 */

interface Engine {
  threads: GemmThreads;
}

/** The kernels and their threads on the backend's heap, or undefined where they cannot be built. */
const engineFor = perHeapMemory((memory): Engine => {
  const { module, exports } = instantiateOnMemory(filterGemmModuleBytes(), memory);
  const kernels = exports as unknown as FilterGemmKernels;
  const lists: ListKernel[] = [];
  for (let r = 1; r <= TILE_CI; r++) for (let k = 1; k <= TILE_CO / 4; k++) lists.push(kernels[`list_${r}_${k}`]);
  const helpers = isShared(memory) ? Math.max(0, getThreadsCount() - 1) : 0;
  return { threads: new GemmThreads(lists, module, memory, helpers) };
});

/** [begin, count) pieces of `total` tiles in `parts` near-equal parts (no empty part). */
function split(total: number, parts: number): Array<[number, number]> {
  const n = Math.max(1, Math.min(total, parts));
  const out: Array<[number, number]> = [];
  for (let p = 0; p < n; p++) {
    const begin = Math.floor((p * total) / n);
    const end = Math.floor(((p + 1) * total) / n);
    if (end > begin) out.push([begin, end - begin]);
  }
  return out;
}

/**
 * Jobs over the channel ranges of dW [fh, fw, Ci, Co] (Co a multiple of 4): the 4 × 8 tiles split
 * into about `wantParts` jobs, then the remainder tiles of Ci mod 4 input and 4 output channels. Every
 * (ci, co) belongs to exactly one job.
 */
export function jobsFor(ci: number, co: number, wantParts: number): GemmJob[] {
  const jobs: GemmJob[] = [];
  const ciMain = Math.floor(ci / TILE_CI);
  const coMain = Math.floor(co / TILE_CO);
  const ciRest = ci - ciMain * TILE_CI;
  const coRest = (co - coMain * TILE_CO) / 4; // 0 or 1 vector
  const region = (r: number, k: number, ciBegin: number, ciTiles: number, coBegin: number, coTiles: number) => {
    if (ciTiles === 0 || coTiles === 0) return;
    const ciParts = split(ciTiles, wantParts);
    const coParts = split(coTiles, Math.max(1, Math.floor(wantParts / ciParts.length)));
    for (const [t0, tn] of ciParts) {
      for (const [u0, un] of coParts) {
        const c0 = ciBegin + t0 * r;
        const o0 = coBegin + u0 * 4 * k;
        jobs.push({ kernel: (r - 1) * 2 + (k - 1), xOff: 4 * c0, dyOff: 4 * o0, dwOff: 4 * (c0 * co + o0), ciTiles: tn, coTiles: un });
      }
    }
  };
  region(TILE_CI, 2, 0, ciMain, 0, coMain);
  if (coRest) region(TILE_CI, 1, 0, ciMain, coMain * TILE_CO, 1);
  if (ciRest) region(ciRest, 2, ciMain * TILE_CI, 1, 0, coMain);
  if (ciRest && coRest) region(ciRest, 1, ciMain * TILE_CI, 1, coMain * TILE_CO, 1);
  return jobs;
}

/** Most records of the list of {@link filterGradientRecords}: N · Ho · fh · fw. */
export function maxRecords(info: tf.backend_util.Conv2DInfo): number {
  return info.batchSize * info.outHeight * info.filterHeight * info.filterWidth;
}

/**
 * Writes the record list of a filter gradient into `list` (Int32 [records, 4]: x address, dy address,
 * pixel count, dW address, all bytes) for x, dy and dW at byte addresses `xAt`, `dyAt`, `dwAt`, and
 * returns the record count: one record per (n, i, a, b) in that order whose input row i·sh + a − padTop
 * lies in the image and that has pixels j with the input column j·sw + b − padLeft in the image (x is
 * zero outside: those terms are left out).
 */
export function filterGradientRecords(info: tf.backend_util.Conv2DInfo, xAt: number, dyAt: number, dwAt: number, list: Int32Array): number {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // valid pixels j ∈ [j0[b], j1[b]) of tap column b: 0 ≤ j·sw + b − pl < W
  const j0 = new Int32Array(fw);
  const j1 = new Int32Array(fw);
  for (let b = 0; b < fw; b++) {
    j0[b] = Math.max(0, Math.ceil((pl - b) / sw));
    j1[b] = Math.min(wo, Math.floor((w - 1 + pl - b) / sw) + 1);
  }
  let records = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ho; i++) {
      for (let a = 0; a < fh; a++) {
        const row = i * sh + a - pt;
        if (row < 0 || row >= h) continue;
        for (let e = 0; e < fw; e++) {
          const count = j1[e] - j0[e];
          if (count <= 0) continue;
          const at = 4 * records++;
          list[at] = xAt + 4 * ((b * h + row) * w + j0[e] * sw + e - pl) * ci;
          list[at + 1] = dyAt + 4 * ((b * ho + i) * wo + j0[e]) * co;
          list[at + 2] = count;
          list[at + 3] = dwAt + 4 * (a * fw + e) * ci * co;
        }
      }
    }
  }
  return records;
}

/**
 * Whether {@link directFilterGradient} handles this convolution: dilation 1, and Co or Ci a multiple of 4
 * (the kernels load 4 channels of one operand per instruction).
 */
export function directFilterGradientApplies(info: tf.backend_util.Conv2DInfo): boolean {
  const { inChannels: ci, outChannels: co } = info;
  return info.dilationHeight === 1 && info.dilationWidth === 1 && ci > 0 && co > 0 && (co % 4 === 0 || ci % 4 === 0);
}

/**
 * Filter gradient of a 2-D convolution, NHWC, dilation 1, Co or Ci a multiple of 4:
 * x: [N, H, W, Ci], dy: [N, Ho, Wo, Co] → dW: [fh, fw, Ci, Co] with
 * dW[a, b, ci, co] = Σ_{n,i,j} x[n, i·sh + a − padTop, j·sw + b − padLeft, ci] · dy[n, i, j, co].
 * When only Ci is a multiple of 4 (U-Net's 1-channel logits), x and dy swap roles — dy splatted, x in
 * vectors — and the kernels give dWᵀ [fh, fw, Co, Ci], transposed per tap at the end (no work for
 * Co = 1). Returns undefined where the kernels cannot run (no WebAssembly SIMD, memory not found): the
 * caller then uses another method.
 */
export function directFilterGradient(backend: HeapBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  const engine = engineFor(backend);
  if (!engine) return undefined;
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw, strideWidth: sw } = info;
  const swapped = co % 4 !== 0;
  const out = backend.makeOutput([fh, fw, ci, co], 'float32');
  const list = backend.makeOutput([Math.max(1, maxRecords(info) * 4)], 'int32');
  // addresses after the allocations (which may grow the memory)
  const dw = backend.typedArrayFromHeap(out); // [fh, fw, Ci, Co], or dWᵀ [fh, fw, Co, Ci] while swapped
  dw.fill(0);
  const listView = new Int32Array(dw.buffer, backend.typedArrayFromHeap(list).byteOffset, maxRecords(info) * 4); // [records, 4]
  const records = filterGradientRecords(info, backend.typedArrayFromHeap(x).byteOffset, backend.typedArrayFromHeap(dy).byteOffset, dw.byteOffset, listView);
  if (records > 0) {
    if (swapped) {
      // dy plays x (splatted, Co channels a pixel) and x plays dy (vectors, Ci channels a pixel)
      for (let at = 0; at < 4 * records; at += 4) [listView[at], listView[at + 1]] = [listView[at + 1], listView[at]];
      const jobs = jobsFor(co, ci, 8);
      engine.threads.run({ list: listView.byteOffset, records, xStep: 4 * co, dyStep: 4 * sw * ci, dwCiStride: 4 * ci }, jobs);
    } else {
      const jobs = jobsFor(ci, co, 8); // ≤ 8 + 8 + 8 + 1 ≤ MAX_JOBS
      engine.threads.run({ list: listView.byteOffset, records, xStep: 4 * sw * ci, dyStep: 4 * co, dwCiStride: 4 * co }, jobs);
    }
  }
  backend.disposeData(list.dataId);
  if (swapped && co > 1) {
    // dWᵀ [fh·fw, Co, Ci] → dW [fh·fw, Ci, Co]
    const view = backend.typedArrayFromHeap(out);
    const tap = new Float32Array(ci * co);
    for (let t = 0; t < fh * fw; t++) {
      const base = t * ci * co;
      tap.set(view.subarray(base, base + ci * co));
      for (let o = 0; o < co; o++) for (let c = 0; c < ci; c++) view[base + c * co + o] = tap[o * ci + c];
    }
  }
  return out;
}
