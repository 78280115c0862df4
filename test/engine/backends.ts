import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/setup.js';
import { gaussian, mulberry32 } from '../../src/util/random.js';

/** Seeded normal samples, `Float32Array` of `size` entries. */
export function randomNormal(size: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = gaussian(random);
  return out;
}

/**
 * Runs `f` on the pure-JS `cpu` backend (the reference) and then on `wasm` (with the kernel pack),
 * and returns both outputs as typed arrays. `f` must build its tensors from plain arrays.
 */
export async function onBothBackends(f: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  await initEngine();
  const read = () => {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => t.dataSync() as Float32Array).map((a) => Float32Array.from(a));
    tf.dispose(list);
    return values;
  };
  await tf.setBackend('cpu');
  let cpu: Float32Array[];
  try {
    cpu = read();
  } finally {
    await tf.setBackend('wasm');
  }
  const wasm = read();
  return { cpu, wasm };
}

/** max|a − b| / max(max|b|, 1e-12): the error of `a` relative to the largest reference value. */
export function relativeError(a: Float32Array, reference: Float32Array): number {
  if (a.length !== reference.length) throw new Error(`length ${a.length} ≠ reference length ${reference.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - reference[i]));
    maxRef = Math.max(maxRef, Math.abs(reference[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-12);
}
