import type { GraphTensor, NetworkGraph } from '../detection/network-graph.js';

/**
 * IoU of two (cx, cy, w, h) boxes `a` and `b` stored at rows `i` and `j` of `boxes: Float32Array [M, 4]`.
 * Computed in float32 steps (`Math.fround`), as the exported graph computes it.
 */
function centreBoxIoU(boxes: Float32Array, i: number, j: number): number {
  const f = Math.fround;
  const [ax, ay, aw, ah] = boxes.subarray(4 * i, 4 * i + 4);
  const [bx, by, bw, bh] = boxes.subarray(4 * j, 4 * j + 4);
  const iw = Math.max(0, f(Math.min(f(ax + f(aw * 0.5)), f(bx + f(bw * 0.5))) - Math.max(f(ax - f(aw * 0.5)), f(bx - f(bw * 0.5)))));
  const ih = Math.max(0, f(Math.min(f(ay + f(ah * 0.5)), f(by + f(bh * 0.5))) - Math.max(f(ay - f(ah * 0.5)), f(by - f(bh * 0.5)))));
  const inter = f(iw * ih);
  return f(inter / f(f(f(aw * ah) + f(bw * bh)) - inter));
}

/**
 * The two-stage query choice: the `n` best of `scores.length` cells. Cells are ranked by score
 * (ties: lower index first); with `iouThreshold`, a cell whose box overlaps a better-ranked cell's box
 * by IoU > `iouThreshold` is suppressed (Fast NMS, Bolya et al. 2019: the better cell counts whether or
 * not it is suppressed itself) and ranks after every unsuppressed cell, so the queries start on
 * different objects and duplicates are chosen only when fewer than `n` cells survive.
 *
 * @param scores `Float32Array [M]` each cell's best real-class probability
 * @param boxes `Float32Array [M, 4]` each cell's box (cx, cy, w, h)
 * @returns `Int32Array [n]` the chosen cells, best first
 */
export function selectProposals(scores: Float32Array, boxes: Float32Array, n: number, iouThreshold?: number): Int32Array {
  const m = scores.length;
  if (boxes.length !== 4 * m) throw new Error(`selectProposals: ${boxes.length} box values for ${m} cells`);
  if (n > m) throw new RangeError(`selectProposals: ${n} proposals from ${m} cells`);
  const order = Array.from({ length: m }, (_, k) => k).sort((x, y) => scores[y] - scores[x] || x - y);
  if (iouThreshold === undefined) return Int32Array.from(order.slice(0, n));
  const kept: number[] = [];
  const suppressed: number[] = [];
  for (let i = 0; i < m && kept.length < n; i++) {
    let overlaps = false;
    for (let j = 0; j < i && !overlaps; j++) overlaps = centreBoxIoU(boxes, order[j], order[i]) > iouThreshold;
    (overlaps ? suppressed : kept).push(order[i]);
  }
  // every cell was visited unless n were kept: the suppressed ones fill up, best first
  return Int32Array.from([...kept, ...suppressed].slice(0, n));
}

/**
 * {@link selectProposals} as a graph, for export: per image the `n` chosen cells' rows of each of
 * `rows` (`[B, M, D]` each → `[B, n, D]`). Without `iouThreshold`: TopK of the scores. With it: the
 * cells sorted by score (TopK of all M), the IoU of every pair of their boxes (`[B, M, M]`, the
 * arithmetic of `selectProposals` in float32), a cell suppressed where a better one overlaps it above
 * the threshold, and TopK of −rank − M·suppressed, which puts the kept cells first, in rank order.
 *
 * @param scores `[B, M]` each cell's best real-class probability
 * @param boxes `[B, M, 4]` each cell's box (cx, cy, w, h)
 */
export function selectProposalsGraph(net: NetworkGraph, scores: GraphTensor, boxes: GraphTensor, rows: GraphTensor[], m: number, n: number, iouThreshold?: number): GraphTensor[] {
  if (iouThreshold === undefined) {
    const cells = net.topK(scores, n); // [B, n]
    return rows.map((r) => net.gatherRows(r, cells));
  }
  const order = net.topK(scores, m); // [B, M] cells by score
  const sorted = net.gatherRows(boxes, order); // [B, M, 4]
  const centre = net.slice(sorted, 2, 0, 2), size = net.slice(sorted, 2, 2, 4); // [B, M, 2]
  const half = net.mul(size, net.constant('half', [0.5], []));
  const lo = net.sub(centre, half), hi = net.add(centre, half); // [B, M, 2]
  // axis 1: the cell i judged, axis 2: the cell j it is compared with
  const asI = (x: GraphTensor) => net.reshape(x, [0, m, 1, -1]), asJ = (x: GraphTensor) => net.reshape(x, [0, 1, m, -1]);
  const overlap = net.relu(net.sub(net.minimum(asI(hi), asJ(hi)), net.maximum(asI(lo), asJ(lo)))); // [B, M, M, 2]
  const inter = net.mul(net.slice(overlap, 3, 0, 1), net.slice(overlap, 3, 1, 2)); // [B, M, M, 1]
  const area = net.mul(net.slice(size, 2, 0, 1), net.slice(size, 2, 1, 2)); // [B, M, 1]
  const iou = net.div(inter, net.sub(net.add(asI(area), asJ(area)), inter)); // [B, M, M, 1]
  const better = new Float32Array(m * m); // 1 where j ranks before i
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) better[i * m + j] = 1;
  const worst = net.reduceMax(net.mul(net.reshape(iou, [0, m, m]), net.constant('better', better, [1, m, m]))); // [B, M]
  const suppressed = net.greater(worst, iouThreshold); // [B, M]
  const key = net.add(net.constant('minus_rank', Float32Array.from({ length: m }, (_, i) => -i), [m]), net.mul(suppressed, net.constant('minus_m', [-m], []))); // [B, M]
  const positions = net.topK(key, n); // [B, n] positions in score order
  return rows.map((r) => net.gatherRows(net.gatherRows(r, order), positions));
}
