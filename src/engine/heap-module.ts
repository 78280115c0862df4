import { uleb } from '../ops/wasm-encoder.js';
import type { HeapBackend } from './heap-backend.js';

/**
 * Runtime-built WebAssembly modules (see `src/ops/wasm-encoder.ts`) that work directly on the wasm
 * backend's heap: its memory is imported, so the kernels read and write tensors in place. The
 * threaded build's memory is shared (a `SharedArrayBuffer`), which the import must declare.
 */

/** The wasm backend's memory (the threaded build keeps it on the module; the other build exports it). */
export function backendMemory(backend: HeapBackend): WebAssembly.Memory | undefined {
  const module = (backend as unknown as { wasm?: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } } }).wasm;
  return module?.wasmMemory ?? module?.asm?.memory;
}

/**
 * `backend → build(its memory)`, built once per memory and kept. Where the memory cannot be found or
 * `build` throws (no WebAssembly SIMD), the getter gives undefined, once and for all, and the caller
 * takes another path.
 */
export function perHeapMemory<T>(build: (memory: WebAssembly.Memory) => T): (backend: HeapBackend) => T | undefined {
  const built = new WeakMap<WebAssembly.Memory, T | null>();
  return (backend) => {
    const memory = backendMemory(backend);
    if (!memory) return undefined;
    let value = built.get(memory);
    if (value === undefined) {
      try {
        value = build(memory);
      } catch {
        value = null;
      }
      built.set(memory, value);
    }
    return value ?? undefined;
  };
}

/** Whether `memory` is shared between threads. */
export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/**
 * The module's bytes with its memory import declared shared (limits 1 … 65,536 pages), so that it can
 * be instantiated on the shared memory of the threaded wasm backend (a non-shared declaration does
 * not link to a shared memory). Rewrites the import section of `encodeModule`'s output, which holds
 * exactly the one import `env.memory`.
 */
export function withSharedMemoryImport(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const name = (s: string) => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const importSection = [1, ...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(1), ...uleb(65536)];
  const out: number[] = Array.from(bytes.subarray(0, 8));
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      size |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
    }
    const content = id === 2 ? importSection : bytes.subarray(at, at + size);
    out.push(id, ...uleb(content.length));
    for (const byte of content) out.push(byte);
    at += size;
  }
  return Uint8Array.from(out);
}

/**
 * Compiles the bytes of an `encodeModule` module for `memory` (declaring the import shared when the
 * memory is) and instantiates it there. Throws where WebAssembly (SIMD) is missing.
 */
export function instantiateOnMemory(bytes: Uint8Array<ArrayBuffer>, memory: WebAssembly.Memory): { module: WebAssembly.Module; exports: WebAssembly.Exports } {
  const module = new WebAssembly.Module(isShared(memory) ? withSharedMemoryImport(bytes) : bytes);
  return { module, exports: new WebAssembly.Instance(module, { env: { memory } }).exports };
}
