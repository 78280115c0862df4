import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F32, I32, encodeModule, op, sleb, uleb } from '../../src/ops/wasm-encoder.js';

test('LEB128 encodings match the published examples', () => {
  // The DWARF / Wikipedia examples: 624485 → E5 8E 26 (unsigned), −123456 → C0 BB 78 (signed).
  assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(uleb(0), [0]);
  assert.deepEqual(uleb(127), [0x7f]);
  assert.deepEqual(uleb(128), [0x80, 0x01]);
  assert.deepEqual(sleb(63), [0x3f]);
  assert.deepEqual(sleb(64), [0xc0, 0x00]);
  assert.deepEqual(sleb(-1), [0x7f]);
  assert.deepEqual(sleb(-64), [0x40]);
  assert.deepEqual(sleb(-65), [0xbf, 0x7f]);
});

test('encodeModule builds a valid module whose exported function runs', () => {
  // add(a, b) = a + b, and load(p) = f32 at byte address p of the imported memory.
  const bytes = encodeModule([
    { name: 'add', params: [I32, I32], results: [I32], locals: [], body: [...op.localGet(0), ...op.localGet(1), ...op.i32Add] },
    { name: 'load', params: [I32], results: [F32], locals: [], body: [...op.localGet(0), ...op.f32Load()] },
  ]);
  assert.ok(WebAssembly.validate(bytes));
  const memory = new WebAssembly.Memory({ initial: 1 });
  new Float32Array(memory.buffer)[3] = 2.5;
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  assert.equal((exports.add as (a: number, b: number) => number)(40, 2), 42);
  assert.equal((exports.load as (p: number) => number)(12), 2.5);
});
