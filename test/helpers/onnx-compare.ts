import assert from 'node:assert/strict';
import { PartSessions } from '../../src/onnx/runtime.js';
import { nodeOrtBinding } from '../../src/pipeline/onnx.js';

/**
 * Runs the single part `all` of ONNX model `bytes` on ONNX Runtime with inputs `in0, in1, …`
 * (`data[i]` of shape `shapes[i]`) and checks each output `out<i>` against `expected[i]` (the TF.js
 * values): the same shape, and a worst relative difference (|a − b| / max(1, |b|)) ≤ `tolerance`.
 */
export async function assertOrtMatches(bytes: Uint8Array, data: Float32Array[], shapes: number[][], expected: Array<{ values: Float32Array; shape: number[] }>, label: string, tolerance: number): Promise<void> {
  const sessions = await PartSessions.open(bytes, nodeOrtBinding(1), label);
  try {
    const got = await sessions.run('all', Object.fromEntries(data.map((d, i) => [`in${i}`, [d, shapes[i]]])));
    expected.forEach((e, i) => {
      const o = got[`out${i}`];
      assert.deepEqual(o.dims, e.shape, `${label}: output ${i} shape`);
      let worst = 0;
      for (let k = 0; k < e.values.length; k++) worst = Math.max(worst, Math.abs(o.data[k] - e.values[k]) / Math.max(1, Math.abs(e.values[k])));
      assert.ok(worst <= tolerance, `${label}: output ${i} differs by ${worst}`);
    });
  } finally {
    await sessions.release();
  }
}
