import { DetsegInputError } from '../util/errors.js';

/** Result of {@link linearSumAssignment}: row `rows[k]` is assigned to column `cols[k]`. */
export interface Assignment {
  /** Row indices, ascending, `Int32Array [min(R, C)]`. */
  rows: Int32Array;
  /** Column index assigned to each of `rows`, `Int32Array [min(R, C)]`. */
  cols: Int32Array;
}

/**
 * Exact minimum-cost assignment (the linear sum assignment problem) of a rectangular cost matrix,
 * as used for the bipartite matching of set-prediction detectors.
 *
 * `cost: Float64Array [rows, cols]` row-major. Every row is matched to a distinct column when
 * rows ≤ cols (every column to a distinct row otherwise), so min(rows, cols) pairs are returned,
 * minimising their summed cost. The result follows `scipy.optimize.linear_sum_assignment`: pairs
 * sorted by row index, for tall matrices too. `+Infinity` marks a forbidden pair.
 *
 * Method: shortest augmenting paths with row and column potentials (Jonker–Volgenant style, the
 * Hungarian method's O(n²·m) form, n = min(rows, cols), m = max): one Dijkstra-like search per
 * row over reduced costs, which stay non-negative thanks to the potentials. All work buffers are
 * allocated once per call.
 *
 * Throws a {@link DetsegInputError} (field `cost`) when the length is not rows·cols, an entry is NaN
 * or −Infinity (naming its position), or the forbidden pairs leave no complete assignment.
 */
export function linearSumAssignment(cost: Float64Array, rows: number, cols: number): Assignment {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new DetsegInputError(`rows and cols must be non-negative integers, got ${rows} and ${cols}`, { field: 'cost' });
  }
  if (cost.length !== rows * cols) throw new DetsegInputError(`length ${cost.length} is not rows·cols = ${rows}·${cols}`, { field: 'cost' });
  for (let k = 0; k < cost.length; k++) {
    const c = cost[k];
    if (Number.isNaN(c) || c === -Infinity) {
      throw new DetsegInputError(`entry [${Math.floor(k / cols)}, ${k % cols}] is ${c}; costs must be finite or +Infinity (forbidden)`, { field: 'cost' });
    }
  }
  const n = Math.min(rows, cols);
  if (n === 0) return { rows: new Int32Array(0), cols: new Int32Array(0) };

  // Work on an n×m view with n ≤ m: a tall matrix is read transposed (no copy).
  const transposed = rows > cols;
  const m = transposed ? rows : cols;
  const rowStride = transposed ? 1 : cols;
  const colStride = transposed ? cols : 1;

  const u = new Float64Array(n); // row potentials
  const v = new Float64Array(m); // column potentials
  const colOfRow = new Int32Array(n).fill(-1);
  const rowOfCol = new Int32Array(m).fill(-1);
  const dist = new Float64Array(m); // shortest reduced path length to each column in this search
  const prevRow = new Int32Array(m); // row from which each column was reached
  const todo = new Int32Array(m); // columns not yet finalised in this search (first `open` entries)
  const visitedRows = new Int32Array(n); // rows reached in this search (first `nVisited` entries)
  const finalCols = new Int32Array(m); // columns finalised in this search (first `nFinal` entries)

  for (let start = 0; start < n; start++) {
    dist.fill(Infinity);
    for (let j = 0; j < m; j++) todo[j] = j;
    let open = m;
    let nVisited = 0;
    let nFinal = 0;
    let reached = 0; // length of the shortest path to the row being expanded
    let row = start;
    let sink = -1;
    while (sink < 0) {
      visitedRows[nVisited++] = row;
      const base = row * rowStride;
      const ur = u[row];
      let best = Infinity;
      let bestAt = -1;
      for (let t = 0; t < open; t++) {
        const j = todo[t];
        const d = reached + cost[base + j * colStride] - ur - v[j];
        if (d < dist[j]) {
          dist[j] = d;
          prevRow[j] = row;
        }
        // On ties prefer a free column: the search ends sooner.
        if (dist[j] < best || (dist[j] === best && rowOfCol[j] < 0 && bestAt >= 0 && rowOfCol[todo[bestAt]] >= 0)) {
          best = dist[j];
          bestAt = t;
        }
      }
      if (best === Infinity) {
        throw new DetsegInputError(`infeasible: the forbidden (+Infinity) pairs leave no assignment of all ${n} ${transposed ? 'columns' : 'rows'}`, { field: 'cost' });
      }
      reached = best;
      const col = todo[bestAt];
      todo[bestAt] = todo[--open];
      finalCols[nFinal++] = col;
      if (rowOfCol[col] < 0) sink = col;
      else row = rowOfCol[col];
    }
    // Potentials: keep reduced costs non-negative and zero along the new matching.
    u[start] += reached;
    for (let k = 1; k < nVisited; k++) {
      const r = visitedRows[k];
      u[r] += reached - dist[colOfRow[r]];
    }
    for (let k = 0; k < nFinal; k++) {
      const j = finalCols[k];
      v[j] -= reached - dist[j];
    }
    // Flip the matching along the path back from the sink.
    let col = sink;
    for (;;) {
      const r = prevRow[col];
      rowOfCol[col] = r;
      const next = colOfRow[r];
      colOfRow[r] = col;
      if (r === start) break;
      col = next;
    }
  }

  const outRows = new Int32Array(n);
  const outCols = new Int32Array(n);
  if (!transposed) {
    for (let i = 0; i < n; i++) {
      outRows[i] = i;
      outCols[i] = colOfRow[i];
    }
  } else {
    // The view's columns are the original rows; list the matched ones in ascending order.
    let k = 0;
    for (let j = 0; j < m; j++) {
      if (rowOfCol[j] >= 0) {
        outRows[k] = j;
        outCols[k] = rowOfCol[j];
        k++;
      }
    }
  }
  return { rows: outRows, cols: outCols };
}
