/**
 * A uniform grid over boxes, a spatial index for finding the boxes that may overlap a region: each box
 * is listed in every cell it touches. Cells are squares of side `cell` starting at (originX, originY);
 * the items of cell c (row-major, c = row·gridWidth + col) are `cellItems[cellStart[c] .. cellStart[c+1])`,
 * box indices in ascending order.
 */
export interface BoxGrid {
  cellStart: Int32Array;
  cellItems: Int32Array;
  gridWidth: number;
  gridHeight: number;
  /** Side of a cell in the boxes' units (pixels); `Infinity` for {@link singleCellGrid}. */
  cell: number;
  originX: number;
  originY: number;
}

/** Column (or row) of the cell holding coordinate `v`; may fall outside the grid for points outside it. */
export function gridCell(v: number, origin: number, cell: number): number {
  return Math.floor((v - origin) / cell);
}

/**
 * Bins boxes (corner coordinates, `Float64Array [K]` each) into a uniform grid whose cell side is
 * `cellFactor` × the median of the boxes' larger sides (but large enough for at most about 4 cells per
 * box on average, so that empty cells do not dominate). Returns undefined when the grid would not pay:
 * all boxes are one point, or the boxes are so unequal in size that the grid would hold more than
 * `maxEntriesPerBox` entries per box.
 */
export function buildBoxGrid(x1: Float64Array, y1: Float64Array, x2: Float64Array, y2: Float64Array, cellFactor: number, maxEntriesPerBox = 16): BoxGrid | undefined {
  const k = x1.length;
  if (k === 0) return undefined;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const sides = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    if (x1[p] < minX) minX = x1[p];
    if (y1[p] < minY) minY = y1[p];
    if (x2[p] > maxX) maxX = x2[p];
    if (y2[p] > maxY) maxY = y2[p];
    sides[p] = Math.max(x2[p] - x1[p], y2[p] - y1[p]);
  }
  sides.sort();
  let cell = cellFactor * sides[k >> 1];
  const spanX = maxX - minX, spanY = maxY - minY;
  const minCell = Math.sqrt((spanX * spanY) / (4 * k));
  if (!(cell >= minCell)) cell = minCell;
  if (!(cell > 0)) return undefined;
  const gridWidth = Math.floor(spanX / cell) + 1, gridHeight = Math.floor(spanY / cell) + 1;
  const cells = gridWidth * gridHeight;
  const cellStart = new Int32Array(cells + 1); // counts, then prefix sums
  let total = 0;
  for (let p = 0; p < k; p++) {
    const cx1 = gridCell(x1[p], minX, cell), cx2 = gridCell(x2[p], minX, cell);
    const cy1 = gridCell(y1[p], minY, cell), cy2 = gridCell(y2[p], minY, cell);
    total += (cx2 - cx1 + 1) * (cy2 - cy1 + 1);
    if (total > maxEntriesPerBox * k) return undefined;
    for (let cy = cy1; cy <= cy2; cy++) for (let cx = cx1; cx <= cx2; cx++) cellStart[cy * gridWidth + cx + 1]++;
  }
  for (let c = 0; c < cells; c++) cellStart[c + 1] += cellStart[c];
  const fill = cellStart.slice(0, cells);
  const cellItems = new Int32Array(total);
  for (let p = 0; p < k; p++) {
    const cx1 = gridCell(x1[p], minX, cell), cx2 = gridCell(x2[p], minX, cell);
    const cy1 = gridCell(y1[p], minY, cell), cy2 = gridCell(y2[p], minY, cell);
    for (let cy = cy1; cy <= cy2; cy++) for (let cx = cx1; cx <= cx2; cx++) cellItems[fill[cy * gridWidth + cx]++] = p;
  }
  return { cellStart, cellItems, gridWidth, gridHeight, cell, originX: minX, originY: minY };
}

/** The degenerate grid of one cell listing all `k` boxes (the plain double loop, in grid form). */
export function singleCellGrid(k: number): BoxGrid {
  const cellItems = new Int32Array(k);
  for (let p = 0; p < k; p++) cellItems[p] = p;
  return { cellStart: new Int32Array([0, k]), cellItems, gridWidth: 1, gridHeight: 1, cell: Infinity, originX: 0, originY: 0 };
}
