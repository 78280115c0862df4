import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { linearSumAssignment, type Assignment } from '../../src/matching/linear-sum-assignment.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { mulberry32 } from '../../src/util/random.js';
import { packageRoot } from '../../src/util/paths.js';

/** Minimum total cost over every assignment of min(R, C) pairs by enumeration; `Infinity` when none is allowed. */
function bruteForceMin(cost: Float64Array, rows: number, cols: number): number {
  const tall = rows > cols;
  const n = Math.min(rows, cols);
  const m = Math.max(rows, cols);
  const at = (i: number, j: number) => (tall ? cost[j * cols + i] : cost[i * cols + j]);
  const used = new Uint8Array(m);
  let best = Infinity;
  const walk = (i: number, sum: number): void => {
    if (i === n) {
      if (sum < best) best = sum;
      return;
    }
    for (let j = 0; j < m; j++) {
      if (used[j] || at(i, j) === Infinity) continue;
      used[j] = 1;
      walk(i + 1, sum + at(i, j));
      used[j] = 0;
    }
  };
  walk(0, 0);
  return best;
}

/** Checks the shape of a result (sizes, ascending distinct rows, distinct columns in range, no forbidden pair) and returns its cost. */
function checkedTotal(a: Assignment, cost: Float64Array, rows: number, cols: number): number {
  const n = Math.min(rows, cols);
  assert.equal(a.rows.length, n);
  assert.equal(a.cols.length, n);
  const seenCols = new Set<number>();
  let total = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0) assert.ok(a.rows[k] > a.rows[k - 1], 'rows ascending and distinct');
    assert.ok(a.rows[k] >= 0 && a.rows[k] < rows);
    assert.ok(a.cols[k] >= 0 && a.cols[k] < cols);
    assert.ok(!seenCols.has(a.cols[k]), 'columns distinct');
    seenCols.add(a.cols[k]);
    const c = cost[a.rows[k] * cols + a.cols[k]];
    assert.notEqual(c, Infinity, 'a forbidden pair was assigned');
    total += c;
  }
  return total;
}

function randomMatrix(random: () => number, rows: number, cols: number, kind: 'ints' | 'floats', forbidden: number): Float64Array {
  const c = new Float64Array(rows * cols);
  for (let k = 0; k < c.length; k++) {
    if (random() < forbidden) c[k] = Infinity;
    else c[k] = kind === 'ints' ? Math.floor(random() * 5) - 1 : random() * 10 - 3;
  }
  return c;
}

test('hand-worked 3×3 and 2×3 / 3×2 examples (the result lists rows ascending, as scipy does)', () => {
  // Greedy would give row 0 column 0 (cost 1, total 1 + 3 + 9 = 13); the optimum is 2 + 3 + 2 = 7.
  const c = Float64Array.from([1, 2, 9, 4, 9, 3, 2, 9, 9]);
  const a = linearSumAssignment(c, 3, 3);
  assert.deepEqual([Array.from(a.rows), Array.from(a.cols)], [[0, 1, 2], [1, 2, 0]]);
  const wide = linearSumAssignment(Float64Array.from([5, 1, 7, 2, 8, 0]), 2, 3);
  assert.deepEqual([Array.from(wide.rows), Array.from(wide.cols)], [[0, 1], [1, 2]]);
  // 3×2: rows 0 and 2 are matched (costs 1 + 0); row 1 is left out.
  const tall = linearSumAssignment(Float64Array.from([1, 7, 5, 8, 3, 0]), 3, 2);
  assert.deepEqual([Array.from(tall.rows), Array.from(tall.cols)], [[0, 2], [0, 1]]);
});

test('equals brute force on 3000 seeded random matrices up to 7×7 (ties, negative costs, forbidden pairs, infeasible cases)', () => {
  const random = mulberry32(16);
  let infeasible = 0;
  let feasible = 0;
  for (let trial = 0; trial < 3000; trial++) {
    const rows = Math.floor(random() * 8);
    const cols = Math.floor(random() * 8);
    const kind = trial % 3 === 0 ? 'floats' : 'ints';
    const forbidden = trial % 4 === 0 ? 0 : [0.1, 0.3, 0.6][trial % 3];
    const cost = randomMatrix(random, rows, cols, kind, forbidden);
    const best = bruteForceMin(cost, rows, cols);
    const where = `trial ${trial}: ${rows}×${cols} [${Array.from(cost).join(', ')}]`;
    if (best === Infinity) {
      infeasible++;
      assert.throws(() => linearSumAssignment(cost, rows, cols), (e: unknown) => e instanceof DetsegInputError && /cost: infeasible/.test(e.message), where);
      continue;
    }
    feasible++;
    const total = checkedTotal(linearSumAssignment(cost, rows, cols), cost, rows, cols);
    if (kind === 'ints') assert.equal(total, best, where);
    else assert.ok(Math.abs(total - best) <= 1e-9, `${where}: ${total} vs ${best}`);
  }
  // Both kinds of case really occurred.
  assert.ok(infeasible > 100 && feasible > 1500, `${infeasible} infeasible, ${feasible} feasible`);
});

/**
 * An optimality certificate independent of the solver: dual potentials u (rows), v (columns) with
 * u_i + v_j ≤ c_ij for every allowed pair, v_j ≤ 0, v_j = 0 on unassigned columns and equality on the
 * assigned pairs. By LP duality every assignment of all rows then costs at least Σu + Σv = this
 * assignment's cost. The potentials come from Bellman–Ford on the exchange graph (an edge a(i) ← j of
 * weight c_ij − c_i,a(i): row i moves to column j); a negative cycle (a cheaper assignment) fails it.
 * `cost` is n×m with n ≤ m.
 */
function certifyOptimal(cost: Float64Array, n: number, m: number, colOfRow: Int32Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of cost) {
    if (c === Infinity) continue;
    lo = Math.min(lo, c);
    hi = Math.max(hi, c);
  }
  const rowOfCol = new Int32Array(m).fill(-1);
  for (let i = 0; i < n; i++) rowOfCol[colOfRow[i]] = i;
  // A free column starts at distance 0; an assigned one at a bound above any simple path's length.
  const start = n * (hi - lo) + 1;
  const d = new Float64Array(m);
  for (let j = 0; j < m; j++) d[j] = rowOfCol[j] < 0 ? 0 : start;
  let rounds = 0;
  for (let changed = true; changed; rounds++) {
    assert.ok(rounds <= m + 1, 'negative cycle: the assignment is not optimal');
    changed = false;
    for (let i = 0; i < n; i++) {
      const a = colOfRow[i];
      const own = cost[i * m + a];
      for (let j = 0; j < m; j++) {
        const c = cost[i * m + j];
        if (j === a || c === Infinity) continue;
        const via = d[j] + c - own;
        if (via < d[a] - 1e-12) {
          d[a] = via;
          changed = true;
        }
      }
    }
  }
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = cost[i * m + colOfRow[i]] + d[colOfRow[i]];
  const tol = 1e-9 * Math.max(1, hi - lo);
  let dual = 0;
  let primal = 0;
  for (let i = 0; i < n; i++) {
    dual += u[i];
    primal += cost[i * m + colOfRow[i]];
    for (let j = 0; j < m; j++) {
      const c = cost[i * m + j];
      if (c !== Infinity) assert.ok(u[i] - d[j] <= c + tol, `dual infeasible at (${i}, ${j})`);
    }
  }
  for (let j = 0; j < m; j++) {
    assert.ok(-d[j] <= tol, `v[${j}] > 0`);
    if (rowOfCol[j] < 0) assert.equal(d[j], 0);
    dual -= d[j];
  }
  assert.ok(Math.abs(dual - primal) <= tol * n, `dual ${dual} vs primal ${primal}`);
}

/** The assignment as a column per row of the n×m orientation (n ≤ m), and that orientation's matrix. */
function wideView(cost: Float64Array, rows: number, cols: number, a: Assignment): { view: Float64Array; colOfRow: Int32Array; n: number; m: number } {
  if (rows <= cols) {
    const colOfRow = new Int32Array(rows);
    for (let k = 0; k < rows; k++) colOfRow[a.rows[k]] = a.cols[k];
    return { view: cost, colOfRow, n: rows, m: cols };
  }
  const view = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) view[j * rows + i] = cost[i * cols + j];
  const colOfRow = new Int32Array(cols);
  for (let k = 0; k < cols; k++) colOfRow[a.cols[k]] = a.rows[k];
  return { view, colOfRow, n: cols, m: rows };
}

test('large random matrices carry a dual optimality certificate (200×200, 150×300, 300×150, integer ties, forbidden pairs)', () => {
  const random = mulberry32(2020);
  const cases: [number, number, 'ints' | 'floats', number][] = [
    [200, 200, 'floats', 0],
    [150, 300, 'floats', 0],
    [300, 150, 'floats', 0],
    [200, 200, 'ints', 0.3],
    [120, 250, 'ints', 0.5],
  ];
  for (const [rows, cols, kind, forbidden] of cases) {
    const cost = randomMatrix(random, rows, cols, kind, forbidden);
    const a = linearSumAssignment(cost, rows, cols);
    checkedTotal(a, cost, rows, cols);
    const w = wideView(cost, rows, cols, a);
    certifyOptimal(w.view, w.n, w.m, w.colOfRow);
  }
});

test('the certificate rejects a suboptimal assignment (so it can fail)', () => {
  const cost = randomMatrix(mulberry32(5), 40, 60, 'floats', 0);
  const a = linearSumAssignment(cost, 40, 60);
  const colOfRow = Int32Array.from(a.cols);
  [colOfRow[0], colOfRow[1]] = [colOfRow[1], colOfRow[0]]; // a different, costlier assignment (no ties here)
  assert.throws(() => certifyOptimal(cost, 40, 60, colOfRow));
  // Moving a row to a free column also breaks optimality.
  const free = Array.from({ length: 60 }, (_, j) => j).find((j) => !a.cols.includes(j))!;
  const moved = Int32Array.from(a.cols);
  moved[3] = free;
  assert.throws(() => certifyOptimal(cost, 40, 60, moved));
});

interface ScipyCase {
  rows_n: number;
  cols_n: number;
  rows: number[];
  cols: number[];
  total: number;
  cost?: number[];
  salt?: number;
}

/** The 32-bit hash matrix of `make_scipy_lsa.py`. */
function hashCost(rows: number, cols: number, salt: number): Float64Array {
  const c = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let h = (Math.imul(i, 0x9e3779b1) + Math.imul(j, 0x85ebca77) + Math.imul(salt, 0xc2b2ae3d)) >>> 0;
      h = (h ^ (h >>> 15)) >>> 0;
      h = Math.imul(h, 0x2c1b3c6d) >>> 0;
      h = (h ^ (h >>> 12)) >>> 0;
      h = Math.imul(h, 0x297a2d39) >>> 0;
      h = (h ^ (h >>> 15)) >>> 0;
      c[i * cols + j] = h / 2 ** 32;
    }
  }
  return c;
}

test("equals scipy's linear_sum_assignment index for index on tie-free matrices (test/fixtures/matching)", () => {
  const fixture = JSON.parse(readFileSync(join(packageRoot(), 'test', 'fixtures', 'matching', 'scipy_lsa.json'), 'utf8')) as { small: ScipyCase[]; large: ScipyCase[] };
  assert.equal(fixture.small.length + fixture.large.length, 13);
  for (const e of [...fixture.small, ...fixture.large]) {
    const cost = e.cost ? Float64Array.from(e.cost) : hashCost(e.rows_n, e.cols_n, e.salt!);
    const a = linearSumAssignment(cost, e.rows_n, e.cols_n);
    const where = `${e.rows_n}×${e.cols_n}`;
    assert.deepEqual(Array.from(a.rows), e.rows, where);
    assert.deepEqual(Array.from(a.cols), e.cols, where);
    const total = checkedTotal(a, cost, e.rows_n, e.cols_n);
    assert.ok(Math.abs(total - e.total) <= 1e-12 * e.rows.length, `${where}: ${total} vs scipy ${e.total}`);
  }
});

test('empty matrices give empty results; bad input is a DetsegInputError naming cost and the position', () => {
  for (const [r, c] of [[0, 0], [0, 5], [4, 0]]) {
    const a = linearSumAssignment(new Float64Array(0), r, c);
    assert.equal(a.rows.length + a.cols.length, 0);
  }
  const bad = (cost: number[], rows: number, cols: number, pattern: RegExp) =>
    assert.throws(() => linearSumAssignment(Float64Array.from(cost), rows, cols), (e: unknown) => e instanceof DetsegInputError && pattern.test(e.message) && e.field === 'cost');
  bad([1, 2, NaN, 4], 2, 2, /^cost: entry \[1, 0\] is NaN/);
  bad([1, 2, 3, -Infinity, 5, 6], 2, 3, /^cost: entry \[1, 0\] is -Infinity/);
  bad([1, 2, 3], 2, 2, /length 3 is not rows·cols/);
  bad([1, 2], -1, -2, /non-negative integers/);
  // Both rows can only use column 0: infeasible, also when transposed (3×2 where two columns need row 0).
  bad([1, Infinity, 2, Infinity], 2, 2, /infeasible/);
  bad([1, 1, Infinity, Infinity, Infinity, Infinity], 3, 2, /infeasible/);
  // All forbidden but one pair per row: feasible, and found.
  const a = linearSumAssignment(Float64Array.from([Infinity, 3, 7, Infinity]), 2, 2);
  assert.deepEqual(Array.from(a.cols), [1, 0]);
});
