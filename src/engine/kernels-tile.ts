import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './heap-backend.js';
import type { PackKernel } from './pack-kernel.js';

type TensorInfo = tf.TensorInfo;

/**
 * `Tile` of a float32 tensor whose output is its input repeated whole, end to end: every axis before
 * some k has size 1 in the input, and every axis from k on has 1 repetition (e.g. `[1, 1, 1, C]` tiled
 * by `[B, H, W, 1]`, which the batch-norm gradient does on every call). The repeat is one copy and a
 * doubling `copyWithin` over the wasm heap; upstream's wasm kernel computes every output index (~20×
 * slower on [2, 64, 64, 16]). Every other case goes to upstream.
 */
export function makeRepeatTile(upstream: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as HeapBackend;
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as { reps: number[] };
    const rank = x.shape.length;
    if (x.dtype !== 'float32' || reps.length !== rank) return upstream.kernelFunc(args);
    let k = 0;
    while (k < rank && x.shape[k] === 1) k++; // axes [0, k) have size 1 in x
    let firstRepeated = rank;
    while (firstRepeated > 0 && reps[firstRepeated - 1] === 1) firstRepeated--; // axes [firstRepeated, rank) are not repeated
    if (firstRepeated > k) return upstream.kernelFunc(args);
    const copies = reps.reduce((p, r) => p * r, 1);
    const out = backend.makeOutput(x.shape.map((d, i) => d * reps[i]), 'float32');
    // views after the allocation (it may grow the heap and detach earlier views)
    const src = backend.typedArrayFromHeap(x); // [size of x]
    const dst = backend.typedArrayFromHeap(out); // [copies × size of x]
    const n = src.length;
    if (n === 0 || copies === 0) return out;
    dst.set(src, 0);
    for (let filled = n, total = n * copies; filled < total; filled *= 2) dst.copyWithin(filled, 0, Math.min(filled, total - filled));
    return out;
  };
}

/** `Tile` with the whole-repeat fast path: {@link makeRepeatTile}. */
export const repeatTileKernel: PackKernel = { kernelName: 'Tile', wrap: makeRepeatTile };
