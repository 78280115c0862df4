import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBoxGrid, gridCell, singleCellGrid } from '../../src/boxes/grid.js';
import { randomBoxes } from '../../src/boxes/random.js';

function soa(boxes: Float32Array): [Float64Array, Float64Array, Float64Array, Float64Array] {
  const n = boxes.length / 4;
  const out: [Float64Array, Float64Array, Float64Array, Float64Array] = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) for (let c = 0; c < 4; c++) out[c][i] = boxes[4 * i + c];
  return out;
}

test('buildBoxGrid lists each box in exactly the cells its rectangle touches, in ascending order', () => {
  const boxes = randomBoxes(400, 41, { extent: 500, minSize: 5, maxSize: 80 });
  const [x1, y1, x2, y2] = soa(boxes);
  const grid = buildBoxGrid(x1, y1, x2, y2, 0.5)!;
  assert.ok(grid && grid.gridWidth * grid.gridHeight > 1);
  for (let cy = 0; cy < grid.gridHeight; cy++) {
    for (let cx = 0; cx < grid.gridWidth; cx++) {
      const c = cy * grid.gridWidth + cx;
      const listed = Array.from(grid.cellItems.subarray(grid.cellStart[c], grid.cellStart[c + 1]));
      // naive: the cell [x0, x0 + cell) × [y0, y0 + cell) against each box's cell range
      const expected: number[] = [];
      for (let i = 0; i < 400; i++) {
        if (gridCell(x1[i], grid.originX, grid.cell) <= cx && cx <= gridCell(x2[i], grid.originX, grid.cell) &&
            gridCell(y1[i], grid.originY, grid.cell) <= cy && cy <= gridCell(y2[i], grid.originY, grid.cell)) expected.push(i);
      }
      assert.deepEqual(listed, expected, `cell ${cx},${cy}`);
    }
  }
  // every box's corners lie in cells inside the grid
  for (let i = 0; i < 400; i++) {
    assert.ok(gridCell(x2[i], grid.originX, grid.cell) < grid.gridWidth && gridCell(y2[i], grid.originY, grid.cell) < grid.gridHeight);
  }
});

test('buildBoxGrid declines degenerate or too unequal boxes; singleCellGrid lists everything', () => {
  const point = new Float64Array([3, 3, 3]);
  assert.equal(buildBoxGrid(point, point, point, point, 1), undefined);
  // 60 tiny boxes set the cell size (the median side); each of 40 huge ones would fill hundreds of cells
  const tiny = randomBoxes(60, 42, { extent: 1000, minSize: 0.5, maxSize: 1 });
  const huge = randomBoxes(40, 43, { extent: 10, minSize: 900, maxSize: 1000 });
  const both = new Float32Array(400);
  both.set(tiny); both.set(huge, 240);
  const [x1, y1, x2, y2] = soa(both);
  assert.equal(buildBoxGrid(x1, y1, x2, y2, 1, 16), undefined);
  const single = singleCellGrid(4);
  assert.deepEqual([Array.from(single.cellStart), Array.from(single.cellItems)], [[0, 4], [0, 1, 2, 3]]);
});
