/**
 * Boxes are flat typed arrays of 4 numbers per box, row-major: `Float32Array [N,4]` (or Float64Array
 * where exact metrics need double precision). The layout of the 4 numbers is named by a format:
 * - `xyxy`: (x1, y1, x2, y2), corners, with x1 ≤ x2 and y1 ≤ y2 — the library's canonical format;
 * - `xywh`: (x, y, w, h), top-left corner and size (COCO's bbox);
 * - `cxcywh`: (cx, cy, w, h), centre and size (YOLO's, DETR's).
 * Coordinates are continuous pixels: a box (0, 0, 10, 10) covers 10×10 pixels and has area 100.
 */
export type BoxArray = Float32Array | Float64Array;

/** Box layouts understood by {@link convertBoxes}. */
export type BoxFormat = 'xyxy' | 'xywh' | 'cxcywh';
