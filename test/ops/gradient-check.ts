import assert from 'node:assert/strict';

/**
 * Checks an analytic gradient against central finite differences: for every element i of `x`,
 * (loss(x + eps·e_i) − loss(x − eps·e_i)) / (2·eps) must lie within `tol` of `grad[i]` (the step is
 * taken as represented in float32). Returns how many elements have |grad| > `nonzeroAbove`, so that a
 * caller can assert the check exercised real gradients.
 */
export function checkFiniteDifferences(x: Float32Array, loss: (x: Float32Array) => number, grad: ArrayLike<number>, eps: number, tol: number, what: string, nonzeroAbove = 0): number {
  let nonzero = 0;
  for (let i = 0; i < x.length; i++) {
    const plus = Float32Array.from(x), minus = Float32Array.from(x);
    plus[i] += eps;
    minus[i] -= eps;
    const numeric = (loss(plus) - loss(minus)) / (plus[i] - minus[i]);
    if (!(Math.abs(numeric - grad[i]) < tol)) assert.fail(`${what} element ${i}: numeric ${numeric}, backward ${grad[i]}`);
    if (Math.abs(grad[i]) > nonzeroAbove) nonzero++;
  }
  return nonzero;
}
