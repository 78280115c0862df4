import * as tf from '@tensorflow/tfjs';
import type { GraphTensor, NetworkGraph } from '../detection/network-graph.js';

/** The grid of a YOLOv1 output: S×S cells, B boxes per cell, C classes. */
export interface YoloGrid {
  /** Cells per side S. */
  s: number;
  /** Boxes per cell B. */
  b: number;
  /** Object classes C (labels 1..C). */
  c: number;
}

/** Channels of one cell: B × (x, y, √w, √h, confidence), then C class probabilities. */
export function yoloCellChannels(grid: YoloGrid): number {
  return 5 * grid.b + grid.c;
}

/**
 * The decoded box of predictor k of cell (i, j) (row i, column j) from the cell's outputs: x, y are the
 * centre relative to the cell, √w, √h the square roots of the size relative to the image →
 * `[x1, y1, x2, y2]` in pixels of a `width × height` image.
 */
export function yoloBox(cell: ArrayLike<number>, offset: number, k: number, i: number, j: number, s: number, width: number, height: number): [number, number, number, number] {
  const o = offset + 5 * k;
  const cx = ((j + cell[o]) / s) * width, cy = ((i + cell[o + 1]) / s) * height;
  const w = cell[o + 2] * cell[o + 2] * width, h = cell[o + 3] * cell[o + 3] * height;
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/**
 * The network's raw outputs `[N,S,S,5B+C]` made into YOLOv1's quantities: a sigmoid on each predictor's
 * x, y (inside the cell), √w, √h (a fraction of the image side) and confidence, a softmax over the C
 * class scores (the paper leaves them linear; the bounds keep √ and the probabilities meaningful from
 * the first step) → `[N,S,S,5B+C]`.
 */
export function activateYoloOutput(raw: tf.Tensor4D, grid: YoloGrid): tf.Tensor4D {
  return tf.tidy(() => {
    const [boxes, classes] = tf.split(raw, [5 * grid.b, grid.c], 3);
    return tf.concat([tf.sigmoid(boxes), tf.softmax(classes, -1)], 3) as tf.Tensor4D;
  });
}

/** {@link activateYoloOutput} in a {@link NetworkGraph}: raw `[B, S, S, 5B+C]` → activated `[B, S, S, 5B+C]`. */
export function activateYoloOutputGraph(net: NetworkGraph, raw: GraphTensor, grid: YoloGrid): GraphTensor {
  const boxes = net.slice(raw, 3, 0, 5 * grid.b);
  const classes = net.slice(raw, 3, 5 * grid.b, 5 * grid.b + grid.c);
  return net.concat([net.sigmoid(boxes), net.softmax(classes, -1)], 3);
}
