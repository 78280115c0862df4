import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profileUNetStepPhases } from '../../src/benchmarks/engine-speed.js';
import { initEngine } from '../../src/engine/setup.js';

test('profileUNetStepPhases: the kernels of each phase match the benchmark U-Net (15 convolutions, 3 transposed, 3 pools, 36 variables)', async () => {
  await initEngine();
  const p = profileUNetStepPhases({ batch: 1, size: 16, reps: 1, warmup: 1 });
  const calls = (phase: typeof p.gradients, kernel: string) => phase.kernels.find((k) => k.kernel === kernel)?.calls ?? 0;
  // Every convolution (14 3×3, the 1×1 logits) and every transposed convolution has a filter gradient.
  assert.equal(calls(p.gradients, 'Conv2DBackpropFilter'), 18);
  assert.equal(calls(p.gradients, 'MaxPool'), 3);
  assert.equal(calls(p.gradients, 'MaxPoolGrad'), 3);
  assert.equal(calls(p.gradients, 'Concat'), 3);
  // Adam: one square root per variable (kernel and bias of 18 layers); no convolution in the update.
  assert.equal(calls(p.optimizer, 'Sqrt'), 36);
  assert.ok(!p.optimizer.kernels.some((k) => k.kernel.startsWith('Conv')));
  assert.ok(p.stepMs >= p.gradients.runMs + p.optimizer.runMs - 1e-9);
});
