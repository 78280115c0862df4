/**
 * A minimal WebAssembly binary encoder: just enough to build small numeric kernels (SIMD included)
 * at run time without a compiler or a shipped .wasm file. Each function body is a list of bytes made
 * with the helpers below; {@link encodeModule} wraps the functions into a module that imports its
 * memory as `env.memory`. Opcodes are those of the WebAssembly 2.0 specification (§5.4).
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Instructions used by detseg's kernels. `simd(op)` prefixes a SIMD opcode with 0xfd. */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Load: [0x28, 2, 0],
  /** f32.load with a byte offset added to the address. */
  f32Load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32GeS: [0x4e],
  i32GeU: [0x4f],
  i32GtS: [0x4a],
  simd: (code: number, ...imm: number[]) => [0xfd, ...uleb(code), ...imm],
};

/**
 * `for (; counter + step ≤ limit; counter += step) body` over the i32 locals `counter` and `limit`
 * (block around a loop; `body` leaves `counter` alone). The strided inner loop of every SIMD kernel here.
 */
export function stepLoop(counter: number, limit: number, step: number, body: number[]): number[] {
  const { block, loop, end, br, brIf, localGet: get, localSet: set, i32Const, i32Add, i32GtS } = op;
  return [
    ...block, ...loop,
    ...get(counter), ...i32Const(step), ...i32Add, ...get(limit), ...i32GtS, ...brIf(1),
    ...body,
    ...get(counter), ...i32Const(step), ...i32Add, ...set(counter),
    ...br(0),
    ...end, ...end,
  ];
}

/** SIMD instructions (opcode after the 0xfd prefix). */
export const v128 = {
  /** v128.load with a byte offset added to the address. */
  load: (offset = 0) => op.simd(0x00, 0, ...uleb(offset)),
  store: (offset = 0) => op.simd(0x0b, 0, ...uleb(offset)),
  const: (bytes: Uint8Array) => op.simd(0x0c, ...bytes),
  i32x4Splat: op.simd(0x11),
  i32x4Eq: op.simd(0x37),
  not: op.simd(0x4d),
  and: op.simd(0x4e),
  f32x4Splat: op.simd(0x13),
  f32x4Lt: op.simd(0x43),
  bitselect: op.simd(0x52),
  i32x4Add: op.simd(0xae),
  i32x4Sub: op.simd(0xb1),
  i32x4MaxS: op.simd(0xb8),
  f32x4Add: op.simd(0xe4),
  f32x4Mul: op.simd(0xe6),
  /** Pseudo-maximum `pmax(a, b) = a < b ? b : a` (no NaN propagation from b, one `maxps`). */
  f32x4Pmax: op.simd(0xeb),
};

/** One function of a module: its signature, extra locals, body (without the final `end`) and export name. */
export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  locals: number[];
  body: number[];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...uleb(bytes.length), ...bytes];
}

/**
 * Encodes a module importing `env.memory` (at least `minPages` pages of 64 KiB) and exporting every
 * function of `functions` under its name. Returns the module's bytes.
 */
export function encodeModule(functions: WasmFunction[], minPages = 1): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector(f.results.map((t) => [t]))]);
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(minPages)]];
  const funcs = functions.map((_, i) => uleb(i));
  const exports = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const codes = functions.map((f) => {
    const locals = vector(f.locals.map((t) => [1, t]));
    const body = [...locals, ...f.body, ...op.end];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, vector(imports)),
    ...section(3, vector(funcs)),
    ...section(7, vector(exports)),
    ...section(10, vector(codes)),
  ]);
}
