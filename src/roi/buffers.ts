import { validateInteger } from '../ops/nhwc.js';

/**
 * Output buffers kept from call to call, for code that runs the RoI ops again and again with similar
 * sizes (a training step, a detector over a stream of images). Every op of `src/roi` takes an
 * optional output buffer of exactly its output's length (`roiAlign(..., out)`, `roiPool(..., { output,
 * argmax })`, `roiAlignBackward(..., out)`); this class hands out such arrays: `float32(slot, n)` is a
 * `Float32Array` of exactly `n` elements on a buffer that belongs to `slot`, reused by the next request
 * for that slot and grown (by at least a quarter) only when `n` outgrows it.
 *
 * Why: a new output array is fresh memory, and on a virtual machine faulting in fresh pages costs
 * about as much as the op itself (50 MB of new float32 output: ~20 ms; `bench/roi.bench.ts` times
 * both). The price is aliasing: the array returned for a slot is overwritten by the next request for
 * that slot, so a caller must be done with it by then. tfjs' wasm backend copies a typed array into
 * its own memory when a tensor is made from it, so a tensor made from a slot's array stays valid; the
 * cpu backend keeps the array itself, so a slot must not feed it. An argmax kept for a backward pass
 * needs its own slot per live forward pass.
 */
export class RoiBuffers {
  private readonly buffers = new Map<string, ArrayBuffer>();

  /** `Float32Array` of exactly `length` elements on the buffer of `slot` (previous contents left as they are). */
  float32(slot: string, length: number): Float32Array {
    return new Float32Array(this.buffer(`f32:${slot}`, length), 0, length);
  }

  /** `Int32Array` of exactly `length` elements on the buffer of `slot` (slots of float32 and int32 are apart). */
  int32(slot: string, length: number): Int32Array {
    return new Int32Array(this.buffer(`i32:${slot}`, length), 0, length);
  }

  /** Bytes held by all slots. */
  get byteLength(): number {
    let bytes = 0;
    for (const buffer of this.buffers.values()) bytes += buffer.byteLength;
    return bytes;
  }

  private buffer(key: string, length: number): ArrayBuffer {
    validateInteger(length, 0, 'length');
    const bytes = 4 * length;
    const held = this.buffers.get(key);
    if (held && held.byteLength >= bytes) return held;
    const buffer = new ArrayBuffer(Math.max(bytes, Math.ceil(1.25 * (held?.byteLength ?? 0) / 4) * 4));
    this.buffers.set(key, buffer);
    return buffer;
  }
}
