import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../src/engine/setup.js';
import { profileKernels } from '../../src/engine/kernels-profile.js';

test('profileKernels counts calls per run, charges nested kernels to their caller, and puts the kernels back', async () => {
  await initEngine();
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  // 3 output channels: the composed filter gradient (a Conv2D inside; the direct kernels need a multiple of 4)
  const dy = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  const original = tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc;
  // one filter gradient (its own Conv2D inside) and one plain Conv2D per run
  const run = () => {
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 3] } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const y = tf.conv2d(x, dw as tf.Tensor4D, 1, 'same');
    tf.dispose([dw, y]);
  };
  run();
  const profile = profileKernels(run, 3);
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc, original, 'kernel function restored');
  const byName = new Map(profile.kernels.map((k) => [k.kernel, k]));
  assert.equal(byName.get('Conv2DBackpropFilter')?.calls, 1);
  assert.equal(byName.get('Conv2D')?.calls, 2, 'the nested Conv2D and the plain one');
  const nested = profile.byCaller.find((k) => k.caller === 'Conv2DBackpropFilter' && k.kernel === 'Conv2D');
  const top = profile.byCaller.find((k) => k.caller === '' && k.kernel === 'Conv2D');
  assert.equal(nested?.calls, 1);
  assert.equal(top?.calls, 1);
  // the filter gradient's total time includes its nested kernels; its self time excludes them
  const filterGrad = byName.get('Conv2DBackpropFilter')!;
  const nestedTotal = profile.byCaller.filter((k) => k.caller === 'Conv2DBackpropFilter').reduce((s, k) => s + k.selfMs, 0);
  assert.ok(Math.abs(filterGrad.totalMs - filterGrad.selfMs - nestedTotal) < 1e-6, `total ${filterGrad.totalMs} = self ${filterGrad.selfMs} + nested ${nestedTotal}`);
  assert.ok(profile.kernelMs <= profile.runMs + 1e-6, 'time in kernels ≤ the run');
  tf.dispose([x, dy]);
});
