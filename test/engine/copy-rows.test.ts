import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyRowsModuleBytes, type CopyRows } from '../../src/engine/copy-rows.js';
import { instantiateOnMemory } from '../../src/engine/heap-module.js';

test('copy_rows copies strided rows of every length (64-, 16- and 4-byte steps), leaves the gaps alone, and does nothing for 0 rows', () => {
  for (const shared of [false, true]) {
    const memory = shared ? new WebAssembly.Memory({ initial: 2, maximum: 4, shared: true }) : new WebAssembly.Memory({ initial: 2 });
    const copy = instantiateOnMemory(copyRowsModuleBytes(), memory).exports.copy_rows as CopyRows;
    const words = new Float32Array(memory.buffer);
    for (const floats of [1, 3, 4, 5, 16, 17, 20, 33, 64]) {
      for (const rows of [0, 1, 7]) {
        const srcStride = floats + 3;
        const dstStride = floats + 5;
        const src = 16;
        const dst = 16 + rows * srcStride + 8;
        words.fill(0);
        for (let i = 0; i < rows * srcStride; i++) words[src + i] = i + 0.5;
        words.fill(-1, dst, dst + rows * dstStride + 8);
        copy(4 * src, 4 * srcStride, 4 * dst, 4 * dstStride, rows, 4 * floats);
        for (let r = 0; r < rows; r++) {
          for (let k = 0; k < dstStride; k++) {
            const expected = k < floats ? r * srcStride + k + 0.5 : -1;
            assert.equal(words[dst + r * dstStride + k], expected, `shared ${shared}, ${floats} floats, row ${r}, k ${k}`);
          }
        }
        assert.equal(words[dst + rows * dstStride], -1, 'nothing written after the last row');
      }
    }
  }
});
